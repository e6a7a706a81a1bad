import { randomUUID } from 'node:crypto';
import type { RowOutcome } from '@leadflow/persistence';
import { jobFailure } from '@leadflow/pipeline';
import type { RowBatch } from '@leadflow/proto';
import { GatewayError } from './gateway-error.js';
import type { JobStore, JobView } from './job-store.js';
import { jsonLeadRow } from './json-lead-row.js';
import { createLeadBatcher } from './lead-batcher.js';
import type { LeadSink } from './lead-sink.js';
import { supplierRef } from './supplier-ref.js';

/** How long a caller may have a lead's answer waited for, in ms (`?wait=`, gRPC wait_ms); 0 answers with the job at once. */
export const LEAD_WAIT = { default: 5_000, max: 30_000 } as const;

/** A lead filed: how, and under which job (a job of this one row). */
export type LeadResult = RowOutcome & { jobId: string };

/** The lead's answer in time, or its job (still running) when the wait ran out first: poll it as any job. */
export type LeadAnswer = { result: LeadResult; job?: undefined } | { job: JobView; result?: undefined };

export interface SubmitLeadOptions {
  /** Who sold the lead: its name as uploads give it (made, with no price, if the tenant has none of that name). */
  supplier?: string;
  /** @default LEAD_WAIT.default */
  waitMs?: number;
}

/**
 * Leads that arrive one at a time (docs/single-leads.md): each becomes a row of a job, sent past
 * ingest straight to mapping, and is answered with how it was filed once persistence filed it,
 * or with its job when that takes longer than the caller waits. A lead alone is a job of one
 * row; leads sent at once of the same tenant, supplier and field names share one job and one
 * batch (lead-batcher.ts), each answered with its own row's outcome.
 */
export function createLeadIntake(deps: { jobs: JobStore; sink?: LeadSink }) {
  const { jobs } = deps;

  /** Makes the job of `cells.length` leads sent together (a row each, in order) and hands its one batch on. */
  async function handOn(tenantId: string, supplierName: string, header: string[], cells: readonly string[][]) {
    const sink = deps.sink!;
    const id = randomUUID();
    // Its rows are read: the job's percent done is known from the start.
    const supplier = await jobs.create({ id, tenantId, supplier: supplierName, fileName: '', webhookUrl: '', rows: cells.length });
    const batch: RowBatch = {
      job: { jobId: id, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false, ...supplierRef(supplier) },
      seq: 0,
      header,
      rows: cells.map((c, i) => ({ rowNumber: i + 1, cells: c })),
      last: true,
      totalRows: cells.length,
      failure: undefined,
      decision: undefined,
    };
    try {
      return { jobId: id, submitted: await sink.submit(batch) };
    } catch (err) {
      // The job must not wait for rows that never left; the clients are told by the error.
      await jobs.failUpload(id, jobFailure('INTERNAL', 'the lead could not be handed to the pipeline')).catch(() => {});
      throw err;
    }
  }

  // Leads sent at once (of one tenant, supplier and field names) share a job and a batch through the stages.
  const batcher = deps.sink
    ? createLeadBatcher(async (group, leads) => {
        const { jobId, submitted } = await handOn(group.tenantId, group.supplier, group.header, leads.map((l) => l.cells));
        return { jobId, outcome: (row, waitMs) => submitted.outcome(waitMs, row) };
      }, deps.sink.batching)
    : undefined;

  return async function submitLead(tenantId: string, lead: unknown, opts: SubmitLeadOptions = {}): Promise<LeadAnswer> {
    if (!deps.sink || !batcher) throw new GatewayError('INTERNAL', 'this gateway takes no single leads');
    const waitMs = opts.waitMs ?? LEAD_WAIT.default;
    if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > LEAD_WAIT.max) {
      throw new GatewayError('INVALID_QUERY', `wait must be a whole number of milliseconds from 0 to ${LEAD_WAIT.max} (default ${LEAD_WAIT.default})`);
    }
    const { header, cells } = jsonLeadRow(lead);
    const supplier = opts.supplier ?? '';
    let jobId: string;
    if (waitMs === 0) {
      // Answered with its job at once: a job of its own, made now.
      jobId = (await handOn(tenantId, supplier, header, [cells])).jobId;
    } else {
      const batched = await batcher.add({ tenantId, supplier, header, cells, waitMs });
      if (batched.outcome) return { result: { jobId: batched.jobId, ...batched.outcome } };
      jobId = batched.jobId;
    }
    const job = await jobs.get(jobId, tenantId);
    if (!job) throw new Error(`job ${jobId} of a lead was not found right after it was made`);
    return { job };
  };
}
