import { describe, expect, it } from 'vitest';
import type { JobFactsRow } from './job-facts.js';
import { jobViewOf } from './job-view.js';

const READ_AT = new Date('2026-05-10T12:00:00.000Z');

/** A job's facts as the status query reads them: nothing recorded but the job, then what each test adds. */
const facts = (over: Partial<JobFactsRow>): JobFactsRow => ({
  id: 'j', supplier: 's', supplier_id: null, cost_per_lead: null, cost_currency: null, file_name: 'f.csv', created_at: new Date('2026-05-10T11:59:00Z'), status: 'queued', failure_code: null, failure_message: null, cancelled_at: null,
  bytes_received: 0, rows_read: 0, rows_total: null, rows_mapped: null, rows_invalid: null, mapped_total: null,
  total_rows: null, stored: null, accepted: null, invalid: null, duplicate: null, suppressed: null, window_rows: null, window_seconds: null,
  delivered: null, delivery_failed: null, delivery_pending: null, read_at: READ_AT, tenant_id: 't', ended_at: null, ...over,
});

describe("a job's progress, from what the stages recorded", () => {
  it('shows a queued job with nothing known: no percent, rate or end, every stage at zero', () => {
    const { progress, counts } = jobViewOf(facts({}));
    expect(progress).toEqual({
      percent: null, rate: null, estimatedEnd: null,
      stages: {
        ingest: { rowsIn: 0, rowsOut: { read: 0 } },
        mapping: { rowsIn: 0, rowsOut: { accepted: 0, invalid: 0 } },
        dedup: { rowsIn: 0, rowsOut: { accepted: 0, duplicate: 0 } },
        enrichment: { rowsIn: 0, rowsOut: { accepted: 0 } },
        dnc: { rowsIn: 0, rowsOut: { accepted: 0, suppressed: 0 } },
        persistence: { rowsIn: 0, rowsOut: { accepted: 0, invalid: 0, duplicate: 0, suppressed: 0 } },
        delivery: { rowsIn: 0, rowsOut: { delivered: 0, failed: 0, pending: 0 } },
      },
    });
    expect(counts).toEqual({ rows: 0, accepted: 0, invalid: 0, duplicate: 0, suppressed: 0, delivered: 0 });
  });

  it('shows a running job: each stage by outcome, percent of the rows ingest counted, rate over the window and the end it gives', () => {
    // serve read all 10,000 rows; mapping mapped 6,000 (300 invalid); persistence stored 4,000 of them over the window's 10 s.
    const { progress, counts } = jobViewOf(facts({
      status: 'running', rows_read: 10_000, rows_total: 10_000, rows_mapped: 6_000, rows_invalid: 300,
      stored: 4_000, accepted: 3_400, invalid: 200, duplicate: 300, suppressed: 100, window_rows: 2_000, window_seconds: 10, delivered: 3_000, delivery_failed: 20, delivery_pending: 380,
    }));
    expect(progress).toEqual({
      percent: 40,
      rate: 200,
      // 6,000 rows left at 200 a second: 30 s after the read.
      estimatedEnd: '2026-05-10T12:00:30.000Z',
      stages: {
        ingest: { rowsIn: 10_000, rowsOut: { read: 10_000 } },
        mapping: { rowsIn: 6_000, rowsOut: { accepted: 5_700, invalid: 300 } },
        dedup: { rowsIn: 3_800, rowsOut: { accepted: 3_500, duplicate: 300 } },
        enrichment: { rowsIn: 3_500, rowsOut: { accepted: 3_500 } },
        dnc: { rowsIn: 3_500, rowsOut: { accepted: 3_400, suppressed: 100 } },
        persistence: { rowsIn: 4_000, rowsOut: { accepted: 3_400, invalid: 200, duplicate: 300, suppressed: 100 } },
        delivery: { rowsIn: 3_400, rowsOut: { delivered: 3_000, failed: 20, pending: 380 } },
      },
    });
    // The counts stay as they were: rows stored until persistence knows the total.
    expect(counts).toMatchObject({ rows: 4_000, accepted: 3_400, delivered: 3_000 });
  });

  it("takes the total from mapping in Kafka mode (no count from ingest), and knows no end while the total is unknown", () => {
    const running = { status: 'running', stored: 500, accepted: 500, window_rows: 500, window_seconds: 5, rows_mapped: 1_500, rows_invalid: 0 };
    expect(jobViewOf(facts(running)).progress).toMatchObject({ percent: null, rate: 100, estimatedEnd: null, stages: { ingest: { rowsIn: 1_500 } } });
    expect(jobViewOf(facts({ ...running, mapped_total: 2_000 })).progress).toMatchObject({ percent: 25, estimatedEnd: '2026-05-10T12:00:15.000Z', stages: { ingest: { rowsIn: 2_000 } } });
  });

  it('shows an ended job at its end: completed 100 %, a failed or cancelled one as far as it got, none with a rate or an end', () => {
    const done = jobViewOf(facts({ status: 'completed', total_rows: 80, stored: 80, accepted: 80, window_rows: 80, window_seconds: 3 }));
    expect(done.progress).toMatchObject({ percent: 100, rate: null, estimatedEnd: null });
    const failed = jobViewOf(facts({ status: 'failed', failure_code: 'INTERRUPTED', failure_message: 'stopped', rows_total: 300, stored: 100, accepted: 100, window_rows: 10, window_seconds: 3 }));
    expect(failed).toMatchObject({ failure: { code: 'INTERRUPTED', message: 'stopped' }, progress: { percent: 33.3, rate: null, estimatedEnd: null } });
    const cancelled = jobViewOf(facts({ status: 'cancelled', cancelled_at: READ_AT, rows_total: 300, stored: 150, accepted: 150, window_rows: 10, window_seconds: 3 }));
    expect(cancelled).toMatchObject({ cancelledAt: READ_AT.toISOString(), counts: { accepted: 150 }, progress: { percent: 50, rate: null, estimatedEnd: null } });
  });

  it('shows a stalled job slowing down with no end while nothing moves, and an empty file as 100 % once completed', () => {
    const stalled = jobViewOf(facts({ status: 'stalled', rows_total: 100, stored: 40, accepted: 40, window_rows: 0, window_seconds: 600 }));
    expect(stalled.progress).toMatchObject({ percent: 40, rate: 0, estimatedEnd: null });
    expect(jobViewOf(facts({ status: 'completed', total_rows: 0, stored: 0 })).progress.percent).toBe(100);
  });
});
