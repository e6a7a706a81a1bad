import { describe, expect, it } from 'vitest';
import { createProgressBar, formatDuration } from './progress-bar.js';

/** A terminal stand-in: what was written, and the line a terminal would show now. */
function terminal(isTTY: boolean, columns = 100) {
  const writes: string[] = [];
  return {
    isTTY,
    columns,
    write: (text: string) => void writes.push(text),
    writes,
    /** The last line drawn, as a terminal shows it (carriage return and clear-to-end removed). */
    shown: () => (writes.filter((w) => w !== '\n').at(-1) ?? '').replace(/^\r/, '').replace(/\x1b\[K$/, ''),
  };
}

describe('the progress bar of leadflow run', () => {
  it('shows rows done out of the rows estimated from the share of the file read, the rate and the time left', () => {
    let t = 0;
    const tty = terminal(true);
    const bar = createProgressBar(1_000_000, { stream: tty, now: () => t });
    // A quarter of the file read holds 5,000 rows: about 20,000 in all. Ingest runs ahead of the pipeline.
    bar.bytesRead(250_000);
    bar.rowsRead(5_000, false);
    t = 10_000;
    bar.rowsDone(2_000);
    expect(tty.shown()).toBe('[###...........................]  10%  2,000 of ~20,000 rows  200 rows/s  1:30 left');
  });

  it('counts the rows ingest read once it read them all, and ends at 100% only when every row is done', () => {
    let t = 0;
    const tty = terminal(true);
    const bar = createProgressBar(1_000, { stream: tty, now: () => t });
    bar.bytesRead(1_000);
    bar.rowsRead(1_200, false);
    bar.rowsRead(300, true);
    t = 5_000;
    bar.rowsDone(500);
    // Every byte was read long ago: a bar of bytes would show 100% here.
    expect(tty.shown()).toBe('[##########....................]  33%  500 of 1,500 rows  100 rows/s  0:10 left');
    t = 15_000;
    bar.rowsDone(1_000);
    bar.finish();
    expect(tty.shown()).toBe('[##############################] 100%  1,500 of 1,500 rows  100 rows/s');
    expect(tty.writes.at(-1)).toBe('\n');
  });

  it('redraws at most every 100 ms, back at the line start, clearing what a longer line left', () => {
    let t = 0;
    const tty = terminal(true);
    const bar = createProgressBar(100, { stream: tty, now: () => t });
    bar.bytesRead(10);
    bar.rowsRead(10, false);
    bar.rowsDone(1);
    t = 50;
    bar.rowsDone(1);
    expect(tty.writes).toHaveLength(1);
    t = 150;
    bar.rowsDone(1);
    expect(tty.writes).toHaveLength(2);
    expect(tty.writes.every((w) => w.startsWith('\r') && w.endsWith('\x1b[K'))).toBe(true);
  });

  it('fits a narrow terminal by shortening the bar, then leaving it out', () => {
    const text = '  0%  0 of ~1,000 rows  0 rows/s';
    for (const [columns, bar] of [[60, `[${'.'.repeat(60 - text.length - 4)}] `], [30, '']] as const) {
      const tty = terminal(true, columns);
      const progress = createProgressBar(100, { stream: tty, now: () => 0, intervalMs: 0 });
      progress.bytesRead(10);
      progress.rowsRead(100, false);
      expect(tty.shown()).toBe(`${bar}${text}`);
    }
  });

  it('writes nothing when stderr is not a terminal (piped or redirected)', () => {
    let t = 0;
    const piped = terminal(false);
    const bar = createProgressBar(100, { stream: piped, now: () => t });
    bar.bytesRead(100);
    bar.rowsRead(10, true);
    t = 1_000;
    bar.rowsDone(10);
    bar.finish();
    expect(piped.writes).toEqual([]);
  });

  it('formats the time left as m:ss, or h:mm:ss past an hour', () => {
    expect([formatDuration(7), formatDuration(754), formatDuration(3723), formatDuration(-1)]).toEqual(['0:07', '12:34', '1:02:03', '0:00']);
  });
});
