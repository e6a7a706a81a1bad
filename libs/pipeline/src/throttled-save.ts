/**
 * Keeps a figure that grows fast (bytes received, rows read) in the database for a job's status
 * without a write for each step: at most one write every `intervalMs` and one at a time, the
 * newest value in each, and the final one at once. A failed write goes to `onError` and is tried
 * again after the interval, at most RETRIES times in a row (a database away for long is not
 * called forever): the status only shows less for a while.
 */
export interface ThrottledSave<T> {
  /** The newest value; `final` writes it as soon as the write in flight, if any, is done. */
  set(value: T, final?: boolean): void;
  /** Resolves once the newest value set has been written (or its write has failed). */
  flush(): Promise<void>;
}

const RETRIES = 20;

export function throttledSave<T>(save: (value: T) => Promise<void>, onError: (err: unknown) => void, intervalMs = 250): ThrottledSave<T> {
  let value: T | undefined;
  let version = 0;
  let savedVersion = 0;
  let urgent = false;
  let failures = 0;
  let writing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const write = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (writing) return writing;
    const [v, at] = [value as T, version];
    urgent = false;
    writing = (async () => {
      try {
        await save(v);
        savedVersion = at;
        failures = 0;
      } catch (err) {
        failures++;
        onError(err);
      }
      writing = undefined;
      // What came while it was written goes in the next write; a failed one is tried again after the interval.
      if (version === savedVersion || failures > RETRIES) return;
      if (urgent && failures === 0) void write();
      else schedule();
    })();
    return writing;
  };
  const schedule = () => {
    if (timer || writing) return;
    timer = setTimeout(() => void write(), intervalMs);
    // A value left unwritten when the process ends is no reason to keep it alive.
    timer.unref();
  };

  return {
    set(next, final = false) {
      value = next;
      version++;
      failures = Math.min(failures, RETRIES);
      if (!final) return schedule();
      urgent = true;
      if (!writing) void write();
    },
    async flush() {
      urgent = true;
      // Two rounds at most (the write in flight, then one of the newest value): a database away is not waited out.
      for (let round = 0; round < 2 && (writing || version !== savedVersion); round++) await (writing ?? write());
    },
  };
}
