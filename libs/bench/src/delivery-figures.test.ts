import { describe, expect, it } from 'vitest';
import { DELIVERY_RUNS_MARKER, formatDeliveryRun, insertNewestFirst, latencyOf, verdict } from './delivery-figures.js';

describe('delivery bench figures', () => {
  it('takes p50, p99 and max of unsorted latencies by nearest rank', () => {
    const latencies = Array.from({ length: 200 }, (_, i) => 200 - i); // 200..1
    expect(latencyOf(latencies, 200)).toEqual({ events: 200, pacePerSecond: 200, p50: 100, p99: 198, max: 200 });
    expect(latencyOf([], 200).p99).toBeNaN();
  });

  it('says met or missed: a rate at or above its goal, a latency strictly below it, nothing measured missed', () => {
    expect(verdict(1000, 1000, 'rate')).toBe('met');
    expect(verdict(999, 1000, 'rate')).toBe('missed');
    expect(verdict(49.9, 50, 'latency')).toBe('met');
    expect(verdict(50, 50, 'latency')).toBe('missed');
    expect(verdict(Number.NaN, 50, 'latency')).toBe('missed');
  });

  it('writes a run with each figure against its goal, and a failed mode as failed', () => {
    const text = formatDeliveryRun({
      date: new Date('2026-12-02T18:00:00Z'), commit: 'abc', machine: '2 cores', concurrency: 64, pgConnections: 10,
      record: { events: 20_000, leads: 20_000, seconds: 10, cpuSeconds: 5 },
      batch: { failure: 'not all sent within 300 s' },
      latency: { events: 2000, pacePerSecond: 200, p50: 4.2, p99: 61, max: 90 },
    });
    expect(text).toContain('### 2026-12-02 18:00 UTC · commit abc');
    expect(text).toContain('in 10.00 s; process CPU 0.25 ms/request (50% of a core) | **2,000 requests/s** | ≥ 1,000/s: met');
    expect(text).toContain('| batch | **failed**: not all sent within 300 s |');
    expect(text).toContain('p50 4.2 ms, **p99 61 ms**, max 90 ms | p99 < 50 ms: missed');
    const withDb = formatDeliveryRun({
      date: new Date('2026-12-02T18:00:00Z'), commit: 'abc', machine: '2 cores', concurrency: 64, pgConnections: 10,
      record: { events: 20_000, leads: 20_000, seconds: 10, cpuSeconds: 5, dbCpuSeconds: 5 },
    });
    expect(withDb).toContain('PostgreSQL CPU 0.25 ms/request; 4,000 requests/CPU-second of the process, 2,000 requests/CPU-second with PostgreSQL\'s |');
  });

  it('inserts each run below the marker, newest first, and adds the marker to a file without one', () => {
    const head = `# Results\n\n${DELIVERY_RUNS_MARKER}\n`;
    const one = insertNewestFirst(head, DELIVERY_RUNS_MARKER, '### first\n');
    const two = insertNewestFirst(one, DELIVERY_RUNS_MARKER, '### second\n');
    expect(two).toBe(`# Results\n\n${DELIVERY_RUNS_MARKER}\n\n### second\n\n### first\n`);
    expect(insertNewestFirst('# Old', DELIVERY_RUNS_MARKER, '### x')).toBe(`# Old\n\n${DELIVERY_RUNS_MARKER}\n\n### x\n`);
  });
});
