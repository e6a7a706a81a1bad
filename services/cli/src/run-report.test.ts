import { describe, expect, it } from 'vitest';
import type { Summary } from './output-files.js';
import { reportRun } from './run-report.js';

const summary = (more: Partial<Summary> = {}): Summary => ({
  jobId: 'j', rows: 10, accepted: 6, invalid: 2, duplicate: 1, suppressed: 1, mapping: {}, status: 'completed', ...more,
});

describe('the line and exit code leadflow run ends with', () => {
  it('reports the counts on standard output with exit code 0', () => {
    expect(reportRun(summary(), 'out')).toEqual({ exitCode: 0, stream: 'stdout', line: 'leadflow run: 10 rows: 6 accepted, 2 invalid, 1 duplicate, 1 suppressed -> out' });
  });

  it('adds the leads delivered when a webhook took them all', () => {
    expect(reportRun(summary({ delivery: { delivered: 6, failed: 0 } }), 'out').line).toBe(
      'leadflow run: 10 rows: 6 accepted, 2 invalid, 1 duplicate, 1 suppressed; 6 of 6 leads delivered to the webhook -> out',
    );
  });

  it('says how many leads the webhook did not take, and why, with exit code 3', () => {
    expect(reportRun(summary({ delivery: { delivered: 4, failed: 2, error: 'HTTP 503 after 5 attempts' } }), 'out')).toEqual({
      exitCode: 3,
      stream: 'stderr',
      line:
        'leadflow run: 2 accepted lead(s) could not be delivered to the webhook (HTTP 503 after 5 attempts); they are in leads.csv; ' +
        '10 rows: 6 accepted, 2 invalid, 1 duplicate, 1 suppressed; 4 of 6 leads delivered to the webhook -> out',
    });
  });

  it('puts a failed file first, with exit code 1, whatever the webhook did', () => {
    const failed = summary({ status: 'failed', failure: { code: 'TOO_MANY_ROWS', message: 'the file has too many rows' }, delivery: { delivered: 0, failed: 6 } });
    expect(reportRun(failed, 'out')).toMatchObject({ exitCode: 1, stream: 'stderr', line: expect.stringMatching(/^leadflow run: the file has too many rows \[TOO_MANY_ROWS\]; 10 rows/) });
  });

  it('says how many rows a stale Do-Not-Call list holds, and which, and still exits 0', () => {
    const report = reportRun(summary({ status: 'waiting_for_dnc_list', held: { rows: 3, lists: 'National (USA) 2026-10-01' } }), 'out');
    expect(report).toEqual({
      exitCode: 0,
      stream: 'stdout',
      line: 'leadflow run: 10 rows: 6 accepted, 2 invalid, 1 duplicate, 1 suppressed; 3 held until a fresh Do-Not-Call list replaces National (USA) 2026-10-01 (they go on at the next run or serve) -> out',
    });
  });
});
