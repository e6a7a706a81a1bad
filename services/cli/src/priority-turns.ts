/** high, normal or low (JobRef.priority; anything else is normal), highest first. */
const RANK: Record<string, number> = { high: 0, normal: 1, low: 2 };
const rankOf = (priority: string | undefined) => RANK[priority ?? ''] ?? 1;

/**
 * Job priority in `leadflow serve` (docs/job-priority.md): every job's pipeline runs at once in
 * this process, so a job takes its batches into the stages only while no job of a higher
 * priority is running. A job runs from its first batch ready (a file once it arrived whole) to
 * its last batch through every stage: a high job's rows then overtake the normal and low ones
 * waiting at the door, and only the few batches those have inside the stages go before them.
 */
export function createPriorityTurns() {
  const running = [0, 0, 0];
  let wake: (() => void)[] = [];

  const blocked = (rank: number) => running.slice(0, rank).some((n) => n > 0);
  const changed = () => {
    const woken = wake;
    wake = [];
    for (const w of woken) w();
  };

  async function turn(rank: number): Promise<void> {
    while (blocked(rank)) await new Promise<void>((resolve) => wake.push(resolve));
  }

  return {
    /**
     * The job's batches, each let in once no higher job runs; the job counts as running from its
     * first batch until `done` is called (after its last went through every stage).
     */
    gate<T>(batches: AsyncIterable<T>, priority: string | undefined): { batches: AsyncIterable<T>; done: () => void } {
      const rank = rankOf(priority);
      let counted = false;
      const done = () => {
        if (!counted) return;
        counted = false;
        running[rank]!--;
        changed();
      };
      async function* gated(): AsyncGenerator<T> {
        for await (const batch of batches) {
          if (!counted) {
            counted = true;
            running[rank]!++;
          }
          await turn(rank);
          yield batch;
        }
      }
      return { batches: gated(), done };
    },
    /** Jobs running at each priority, high, normal, low. */
    get running(): readonly number[] {
      return [...running];
    },
  };
}
