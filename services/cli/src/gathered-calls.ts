/**
 * Gathers the ids given within `ms` of the first into one call of `fn`: each caller's promise
 * settles with that call. How `leadflow serve` lets go of its single leads' jobs (jobs.ran): one
 * statement for the leads of a moment, not one each.
 */
export function gatherIds(fn: (ids: string[]) => Promise<void>, ms: number): (id: string) => Promise<void> {
  let ids: string[] = [];
  let pending: Promise<void> | undefined;
  return (id) => {
    ids.push(id);
    pending ??= new Promise<void>((resolve) => setTimeout(resolve, ms)).then(() => {
      const these = ids;
      ids = [];
      pending = undefined;
      return fn(these);
    });
    return pending;
  };
}
