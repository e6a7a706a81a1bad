import { readFileSync } from 'node:fs';

/** Clock ticks a second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const TICKS = 100;

/**
 * CPU seconds (user + system) the processes `pids` have used so far, read from /proc; 0 for one
 * that is gone, NaN where there is no /proc. On a shared machine the wall clock says how long a
 * process waited for a core as much as what it did; this says what it did.
 */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && process.platform === 'linux') continue;
      return Number.NaN;
    }
    // The fields after the command (which may hold spaces), in parentheses: utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS;
}
