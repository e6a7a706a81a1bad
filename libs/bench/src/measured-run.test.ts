import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reasonOf, runMeasured } from './measured-run.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-measured-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MB = 2 ** 20;
const node = (script: string, opts: { timeoutMs?: number; maxRss?: number; flags?: string[] } = {}) =>
  runMeasured({
    command: process.execPath,
    args: [...(opts.flags ?? []), '-e', script],
    logFile: join(dir, `${Math.random().toString(36).slice(2)}.log`),
    timeoutMs: opts.timeoutMs ?? 60_000,
    maxRss: opts.maxRss ?? 4096 * MB,
  });

describe('a measured run', () => {
  it('reports the peak resident memory of the process, not its JS heap', async () => {
    // 200 MB outside the JS heap, touched so that it is resident.
    const run = await node('const b = Buffer.alloc(200 * 1024 * 1024, 1); setTimeout(() => console.log(b.length), 600)');
    expect(run.failure).toBeUndefined();
    expect(run.peakRss).toBeGreaterThan(200 * MB);
    expect(run.tail).toContain(String(200 * MB));
  });

  it('that runs out of heap fails with V8\'s one-line reason, not its stack trace', async () => {
    // Paced so that it lives through several memory samples (every 250 ms) before V8 gives up:
    // a run that dies before the first sample has nothing to report, however idle the machine.
    const run = await node('const a = []; setInterval(() => a.push(new Array(1e5).fill(1)), 10)', { flags: ['--max-old-space-size=48'] });
    expect(run.failure).toMatch(/^(signal SIGABRT|exit code 134): FATAL ERROR: .*heap out of memory/);
    expect(run.peakRss).toBeGreaterThan(48 * MB);
  });

  it('that outgrows the memory cap is killed and says so', async () => {
    const started = Date.now();
    const run = await node('const keep = []; setInterval(() => keep.push(Buffer.alloc(50 * 1024 * 1024, 1)), 50)', { maxRss: 300 * MB });
    expect(run.failure).toBe('resident memory passed the cap of 300 MB (--max-rss-mb); killed');
    expect(run.peakRss).toBeGreaterThan(300 * MB);
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('that does not end is killed at its time bound', async () => {
    const started = Date.now();
    const run = await node('setInterval(() => {}, 1000)', { timeoutMs: 1500 });
    expect(run.failure).toBe('did not finish within 2 s (--timeout); killed');
    expect(run.seconds).toBeGreaterThanOrEqual(1.5);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('that exits non-zero gives the program\'s own reason', async () => {
    const run = await node('console.error("leadflow: cannot read file \\"x.csv\\": no such file"); process.exit(1)');
    expect(run.failure).toBe('exit code 1: leadflow: cannot read file "x.csv": no such file');
  });
});

describe('the reason of a failed run', () => {
  it('is the fatal error line, whatever follows it', () => {
    const output = 'some progress\n\n<--- Last few GCs --->\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n----- Native stack trace -----\n 1: 0xb8d0a3 node::Abort()\n';
    expect(reasonOf(output)).toBe('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
  });
});
