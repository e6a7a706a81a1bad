import { randomUUID } from 'node:crypto';
import type { RowOutcome } from '@leadflow/persistence';
import { jobFailure } from '@leadflow/pipeline';
import type { RowBatch } from '@leadflow/proto';
import { GatewayError } from './gateway-error.js';
import type { JobStore, JobView } from './job-store.js';
import { jsonLeadRow } from './json-lead-row.js';
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
 * Leads that arrive one at a time (docs/single-leads.md): each becomes a job of one row, sent past
 * ingest straight to mapping, and is answered with how it was filed once persistence filed it,
 * or with its job when that takes longer than the caller waits.
 */
export function createLeadIntake(deps: { jobs: JobStore; sink?: LeadSink }) {
  const { jobs } = deps;
  return async function submitLead(tenantId: string, lead: unknown, opts: SubmitLeadOptions = {}): Promise<LeadAnswer> {
    const sink = deps.sink;
    if (!sink) throw new GatewayError('INTERNAL', 'this gateway takes no single leads');
    const waitMs = opts.waitMs ?? LEAD_WAIT.default;
    if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > LEAD_WAIT.max) {
      throw new GatewayError('INVALID_QUERY', `wait must be a whole number of milliseconds from 0 to ${LEAD_WAIT.max} (default ${LEAD_WAIT.default})`);
    }
    const { header, cells } = jsonLeadRow(lead);
    const id = randomUUID();
    // Its one row is read: the job's percent done is known from the start.
    const supplier = await jobs.create({ id, tenantId, supplier: opts.supplier ?? '', fileName: '', webhookUrl: '', rows: 1 });
    const batch: RowBatch = {
      job: { jobId: id, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false, ...supplierRef(supplier) },
      seq: 0,
      header,
      rows: [{ rowNumber: 1, cells }],
      last: true,
      totalRows: 1,
      failure: undefined,
      decision: undefined,
    };
    let submitted;
    try {
      submitted = await sink.submit(batch);
    } catch (err) {
      // The job must not wait for a row that never left; the client is told by the error.
      await jobs.failUpload(id, jobFailure('INTERNAL', 'the lead could not be handed to the pipeline')).catch(() => {});
      throw err;
    }
    const outcome = waitMs > 0 ? await submitted.outcome(waitMs) : undefined;
    if (outcome) return { result: { jobId: id, ...outcome } };
    const job = await jobs.get(id, tenantId);
    if (!job) throw new Error(`job ${id} of a lead was not found right after it was made`);
    return { job };
  };
}
