import { randomUUID } from 'node:crypto';
import { CANONICAL_FIELDS, normalizePhone, personEvidence } from '@leadflow/mapping';
import { parsePolicy } from '@leadflow/dedup';
import type { DecideResult, MergeRecord, PossibleDuplicate, PossibleDuplicateStatus, Rejection, RevertResult } from '@leadflow/persistence';
import { checkOutboundUrl, OutboundRefusal, type OutboundRules, type Resolve } from '@leadflow/outbound';
import type { Logger } from '@leadflow/logger';
import { isUuid } from '@leadflow/pipeline';
import type { EndpointAdmin } from '@leadflow/delivery';
import type { DncExemptionStore, DncRegistry } from '@leadflow/stores';
import type { SupplierMappingStore } from '@leadflow/mapping';
import { createDncExemptionService } from './dnc-exemption-service.js';
import { createDncListService } from './dnc-list-service.js';
import { createDncComplianceService } from './dnc-compliance-service.js';
import type { createRescreenService } from './rescreen-service.js';
import { errors, GatewayError } from './gateway-error.js';
import { downloadJob } from './job-download.js';
import { EXPORT_KINDS, type ExportKind } from './job-exports.js';
import { createMappingSettings, type MappingSettingsOptions } from './mapping-settings.js';
import { cancelJob } from './cancel-job.js';
import { jobEvents, type JobEvent } from './job-events.js';
import { createLeadIntake } from './lead-intake.js';
import type { LeadSink } from './lead-sink.js';
import { cursorOf, parseJobListQuery, type JobListQuery } from './job-list-query.js';
import type { ColumnView, FileMappingView, JobStore, JobView, MappingView, StoredFileMapping } from './job-store.js';
import { createSupplierMappingService } from './supplier-mapping.js';
import { createSupplierScorecards, type createSqlScorecardFacts } from './supplier-scorecard.js';
import { createSupplierService } from './supplier-service.js';
import { createWebhookService } from './webhook-service.js';
import { createTagRuleSettings, type TagRuleSettingsOptions } from './tag-rule-settings.js';
import type { SupplierStore } from './supplier-store.js';
import type { JobAdmission, JobLimitsView } from './job-admission.js';
import { createQualitySettingsService, type QualitySettingsStore } from './quality-settings-service.js';
import { parsePriority } from './job-priority.js';
import type { StorageView } from './storage-report.js';
import { createErasureService } from './erasure-service.js';
import type { Erasure } from './erasure.js';
import { receiveUpload, type UploadPart } from './upload-receiver.js';
import type { UploadSink } from './upload-sink.js';

export interface JobServiceOptions {
  jobs: JobStore;
  /** A job's rows of one kind as CSV lines (see exportCsv). */
  exports: (kind: ExportKind, jobId: string, tenantId: string) => AsyncIterable<string>;
  uploads: UploadSink;
  dnc: DncRegistry;
  /** Tenants whose admins may load the shared Do-Not-Call lists over the API (DNC_OPERATOR_TENANTS). */
  dncOperators?: readonly string[];
  /** The tenants' Do-Not-Call exemptions (docs/dnc-lists.md, "Exemptions"). */
  dncExemptions?: DncExemptionStore;
  /** The tenants' Do-Not-Call policies and the audit (dnc-compliance-service.ts). */
  dncCompliance?: ReturnType<typeof createDncComplianceService>;
  /** Re-screenings of stored leads (rescreen-service.ts). */
  rescreens?: ReturnType<typeof createRescreenService>;
  /** Largest upload accepted, in bytes. */
  maxUploadBytes: number;
  /** Where a job's webhook may point: checked when it is saved (delivery checks again at connect). */
  outbound: OutboundRules;
  /** Resolves a webhook's host name. @default the system resolver */
  resolve?: Resolve;
  /** Region for DNC numbers written without a country code. @default 'US' */
  defaultRegion?: string;
  /** How often a watched job is read again: at most half the second between progress events. @default 500 */
  watchIntervalMs?: number;
  /** A job's newest rejected rows (persistence's record of them). */
  rejections?: (jobId: string, tenantId: string, limit: number) => Promise<Rejection[]>;
  /** Erases a person from a tenant (erasure.ts; docs/erasure.md). */
  erasure?: Erasure;
  /** What the tenant keeps in each table, and the cleanup of raw cells (storage-report.ts). */
  storage?: (tenantId: string) => Promise<StorageView>;
  /** The tenants' dedup policies (table dedup_policies). */
  policies?: {
    list(tenantId: string): Promise<{ supplier: string; policy: unknown; updatedAt: string }[]>;
    save(tenantId: string, supplier: string, policy: object): Promise<void>;
  };
  /** The tenants' lead quality settings (table quality_settings). */
  qualitySettings?: QualitySettingsStore;
  /** The merges of duplicates into leads (persistence's record of them). */
  merges?: {
    /** Whether the tenant has this lead: another tenant's lead is not found, as one that never was. */
    exists(leadId: string, tenantId: string): Promise<boolean>;
    list(leadId: string, tenantId: string): Promise<MergeRecord[]>;
    revert(mergeId: string, tenantId: string): Promise<RevertResult>;
  };
  /** Tenants' header synonyms and their backups (the mapping service's tables). */
  mapping?: MappingSettingsOptions;
  /** leadflow_jobs_total: jobs that ended, by status; the gateway ends the ones it cancels. */
  jobsEnded?: { inc(labels: { status: string }): void };
  /** Leads flagged as possible duplicates, and people's decisions on them (persistence). */
  possibleDuplicates?: {
    list(tenantId: string, opts: { status: PossibleDuplicateStatus; limit: number; after?: string }): Promise<PossibleDuplicate[]>;
    decide(leadId: string, tenantId: string, decision: 'duplicate' | 'distinct'): Promise<DecideResult>;
  };
  /** The tenant's suppliers (the gateway's table), behind createSupplier, listSuppliers, getSupplier, updateSupplier. */
  suppliers?: SupplierStore;
  /** Where single leads go (POST /v1/leads, SubmitLead); none: the gateway takes none. */
  leads?: LeadSink;
  /** Suppliers' confirmed mappings (the mapping service's table), behind getSupplierMapping, setSupplierMapping. */
  supplierMappings?: SupplierMappingStore;
  /** Where what goes wrong after an upload was answered is told (a job's bytes received that could not be recorded). */
  logger?: Logger;
  /** The per-tenant limit of running jobs (job-admission.ts); none: every job runs at once. */
  admission?: JobAdmission;
  /** Delivery's endpoints, secrets, rates and deliveries (webhook-service.ts); none: those calls answer INTERNAL. */
  webhooks?: EndpointAdmin;
  /** Tenants' tag rules (table tag_rules), behind getTagRules, setTagRules. */
  tagRules?: TagRuleSettingsOptions;
  /** What supplier scorecards read of persistence's tables (supplier-scorecard.ts). */
  scorecardFacts?: ReturnType<typeof createSqlScorecardFacts>;
}

const REVIEW_STATUSES = ['open', 'duplicate', 'distinct'] as const;
/** Rejected rows GET /v1/jobs/{id}/errors answers. */
export const JOB_ERRORS = { default: 20, max: 1000 } as const;
const MAX_REVIEW_PAGE = 1000;

/** What a client says about an upload besides its file (form fields, or gRPC's UploadMetadata). */
export interface UploadFields {
  supplier: string;
  webhookUrl: string;
  /** For a workbook: the sheet to read; '' for the first with data. */
  sheet: string;
  /** Stop after mapping until a person confirms it (confirmMapping). */
  review: boolean;
  /** high, normal or low as the client sent it (job-priority.ts); none: normal. */
  priority?: string;
}

export interface UploadMeta extends UploadFields {
  tenantId: string;
  fileName: string;
}

export type JobService = ReturnType<typeof createJobService>;

const MAX_DNC_NUMBERS = 100_000;
/** The largest per-tenant limit of running jobs a tenant may set. */
export const MAX_RUNNING_JOBS = 10_000;

/** What REST and gRPC both do: one implementation, two protocols. */
export function createJobService(opts: JobServiceOptions) {
  const { jobs } = opts;

  /**
   * Creates a job for an upload and starts streaming its file to the pipeline: resolves at once
   * with the job as it is then (docs/upload-now.md), and `arrived`, which resolves with the job
   * once the file is handed on whole. `trailing`, when given, reads what the request sends after
   * the file (form fields), which completes the job before its rows go on. A file found
   * unreadable fails its job with that failure (the rows before the point it failed are kept, as
   * ever); an upload refused or cut off fails its job with nothing of it kept. `arrived` then
   * rejects with an error that names the job.
   */
  async function startUpload(
    meta: UploadMeta,
    source: AsyncIterable<UploadPart>,
    trailing?: () => Promise<Partial<UploadFields>>,
  ): Promise<{ job: JobView; arrived: Promise<JobView> }> {
    const priority = parsePriority(meta.priority);
    meta = { ...meta, priority };
    await checkFields(meta);
    const id = randomUUID();
    const supplier = await jobs.create({ id, tenantId: meta.tenantId, supplier: meta.supplier, fileName: meta.fileName, webhookUrl: meta.webhookUrl, priority });
    // A job above its tenant's running limit waits, queued, its bytes parked (docs/job-priority.md).
    const runs = opts.admission ? await opts.admission.admit(id, meta.tenantId) : true;
    const job = (await jobs.get(id, meta.tenantId))!;
    const arrived = receiveUpload(
      { jobs, uploads: runs ? opts.uploads : opts.admission!.parking, maxUploadBytes: opts.maxUploadBytes, checkFields, logger: opts.logger },
      { id, meta, supplier },
      source,
      trailing,
    );
    return { job, arrived };
  }

  /** startUpload, answered once the file is handed on whole (gRPC's client stream answers at its end). */
  async function upload(meta: UploadMeta, source: AsyncIterable<UploadPart>, trailing?: () => Promise<Partial<UploadFields>>): Promise<JobView> {
    return (await startUpload(meta, source, trailing)).arrived;
  }

  async function checkFields(fields: UploadFields) {
    const url = fields.webhookUrl;
    if (!url) return;
    if (!/^https?:\/\/[^\s]+$/i.test(url)) throw errors.badWebhook(url);
    try {
      await checkOutboundUrl(url, opts.outbound, opts.resolve);
    } catch (err) {
      throw err instanceof OutboundRefusal ? errors.forbiddenWebhook(url, err.reason) : err;
    }
  }

  async function findJob(id: string, tenantId: string): Promise<JobView> {
    const job = await jobs.get(id, tenantId);
    if (!job) throw errors.jobNotFound(id);
    return job;
  }

  /** The job, with its delivery rate (the limit set, and the rate measured now) where delivery's tables are at hand. */
  async function getJob(id: string, tenantId: string): Promise<JobView> {
    const job = await findJob(id, tenantId);
    return opts.webhooks ? { ...job, deliveryRate: await opts.webhooks.jobRate(tenantId, id) } : job;
  }

  /** The job as `progress` events while it changes, then its end (job-events.ts), until `signal` aborts. */
  function watchJob(id: string, tenantId: string, signal?: AbortSignal): AsyncGenerator<JobEvent> {
    return jobEvents(() => getJob(id, tenantId), { intervalMs: opts.watchIntervalMs ?? 500, signal });
  }

  /** The tenant's jobs that pass the query's filters, newest first, a page at a time (`next` for `after`; null on the last page). */
  async function listJobs(tenantId: string, query: JobListQuery): Promise<{ jobs: JobView[]; next: string | null }> {
    const { filter, limit } = parseJobListQuery(query);
    // One more than the page: whether there is a next page is known without asking again.
    const found = await jobs.list(tenantId, filter, limit + 1);
    const page = found.slice(0, limit);
    return { jobs: page, next: found.length > limit ? cursorOf(page.at(-1)!.id) : null };
  }

  /** The job's newest rejected rows with their reasons, while it runs and after. */
  async function listJobErrors(jobId: string, tenantId: string, limit: number = JOB_ERRORS.default): Promise<Rejection[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > JOB_ERRORS.max) throw new GatewayError('INVALID_QUERY', `limit must be a whole number from 1 to ${JOB_ERRORS.max}`);
    await findJob(jobId, tenantId);
    return (await opts.rejections?.(jobId, tenantId, limit)) ?? [];
  }

  /** Adds numbers to the tenant's internal list: its leads alone are screened against them. */
  async function addDncNumbers(tenantId: string, numbers: readonly string[]): Promise<{ added: number; rejected: string[] }> {
    if (numbers.length > MAX_DNC_NUMBERS) throw errors.tooManyNumbers(MAX_DNC_NUMBERS);
    const valid: string[] = [];
    const rejected: string[] = [];
    for (const n of numbers) {
      const e164 = typeof n === 'string' ? normalizePhone(n, opts.defaultRegion ?? 'US') : undefined;
      if (e164) valid.push(e164);
      else rejected.push(String(n));
    }
    return { added: await opts.dnc.add(valid, { tenantId }), rejected };
  }

  /** A job's leads, duplicates, rejected or suppressed rows as CSV; the job must exist for the tenant. */
  async function exportRows(kind: string, jobId: string, tenantId: string): Promise<AsyncIterable<string>> {
    const k = kind.replace(/\.csv$/, '');
    if (!(EXPORT_KINDS as readonly string[]).includes(k)) throw errors.unknownExport(kind);
    await findJob(jobId, tenantId);
    return opts.exports(k as ExportKind, jobId, tenantId);
  }

  /** The job's mapping with each file's; MAPPING_NOT_READY until its first rows are mapped. */
  async function storedMapping(jobId: string, tenantId: string) {
    const job = await findJob(jobId, tenantId);
    const mapping = await jobs.mapping(jobId, tenantId, job.files.map((f) => f.name));
    if (!mapping) throw errors.mappingNotReady(jobId);
    return { job, mapping };
  }

  /**
   * How the job's columns were mapped; MAPPING_NOT_READY until its first rows are mapped. A job of
   * several files shows each file's mapping in `files` (docs/several-files.md, "Review").
   */
  async function getMapping(jobId: string, tenantId: string): Promise<MappingView> {
    const { job, mapping } = await storedMapping(jobId, tenantId);
    const { files, ...view } = mapping;
    if (job.files.length < 2) return view;
    return { ...view, files: files.map(({ fileIndex: _, ...f }) => f) };
  }

  /**
   * A person's decision on the mapping of a job in review: `fields` changes some columns (source
   * header to field or "extra"); every other column keeps its proposed field. It is remembered for
   * the job's supplier. In a job of several files it decides the file named `file` (its name as
   * the job shows it), or without one every file still waiting, `fields` applied to each file that
   * has the header. The job's rows go on once every file is decided (docs/several-files.md, "Review").
   */
  async function confirmMapping(
    jobId: string, tenantId: string, fields: Readonly<Record<string, string>>, file = '',
  ): Promise<{ columns: ColumnView[]; files?: FileMappingView[] }> {
    const { job, mapping } = await storedMapping(jobId, tenantId);
    if (mapping.status !== 'awaiting_review') throw errors.notInReview(jobId, mapping.status);
    const several = job.files.length > 1;
    const names = job.files.map((f) => f.name);
    let chosen: StoredFileMapping[];
    if (file) {
      const index = names.indexOf(file);
      // A job of one file may name it as it was uploaded.
      if (index < 0 && !(!several && file === job.fileName)) throw errors.unknownFile(jobId, file, names);
      const found = mapping.files.find((f) => f.fileIndex === Math.max(index, 0));
      if (!found) throw errors.mappingNotReady(jobId);
      if (found.status !== 'awaiting_review') throw errors.fileNotInReview(jobId, found.file, found.status);
      chosen = [found];
    } else {
      chosen = mapping.files.filter((f) => f.status === 'awaiting_review');
      if (chosen.length === 0) throw errors.notInReview(jobId, 'confirmed');
    }
    const headers = [...new Set(chosen.flatMap((f) => f.columns.map((c) => c.header)))];
    for (const [header, field] of Object.entries(fields)) {
      if (!headers.includes(header)) throw errors.unknownColumn(header, headers);
      if (field !== 'extra' && !(CANONICAL_FIELDS as readonly string[]).includes(field)) throw errors.unknownField(field, CANONICAL_FIELDS);
    }
    const ref = { jobId, tenantId, supplier: job.supplier, webhookUrl: '', fileName: job.fileName, sheet: '', review: true, priority: job.priority };
    const decided: FileMappingView[] = [];
    // One decision a file, in upload order, on the job's key: the mapping stage takes them in turn.
    for (const f of chosen) {
      const columns = f.columns.map((c) => {
        const field = fields[c.header] ?? c.field;
        return { header: c.header, field, confidence: 1, evidence: [personEvidence(c.field, field).detail] };
      });
      await opts.uploads.decide(ref, { columns, fileIndex: f.fileIndex });
      decided.push({ file: f.file, status: 'confirmed', columns, preview: [] });
    }
    return { columns: decided[0]!.columns, ...(several ? { files: decided } : {}) };
  }

  /** What duplicates merged into a lead, each with the fields it changed. */
  async function listMerges(leadId: string, tenantId: string): Promise<MergeRecord[]> {
    if (!(await opts.merges?.exists(leadId, tenantId))) throw errors.leadNotFound(leadId);
    return (await opts.merges?.list(leadId, tenantId)) ?? [];
  }

  /** Undoes a merge; fields changed again since are kept and named. */
  async function revertMerge(mergeId: string, tenantId: string): Promise<{ merge: MergeRecord; restored: string[]; kept: string[] }> {
    const result = (await opts.merges?.revert(mergeId, tenantId)) ?? { status: 'not_found' as const };
    if (result.status === 'not_found') throw errors.mergeNotFound(mergeId);
    if (result.status === 'already_reverted') throw errors.mergeAlreadyReverted(mergeId, result.merge.revertedAt ?? '');
    return { merge: result.merge, restored: result.restored, kept: result.kept };
  }

  /** The tenant's possible duplicates with one status ('open' by default), oldest first, a page at a time. */
  async function listPossibleDuplicates(tenantId: string, query: { status?: string; limit?: number; after?: string }) {
    const status = (query.status || 'open') as PossibleDuplicateStatus;
    if (!REVIEW_STATUSES.includes(status)) throw errors.badReviewQuery(`status must be one of ${REVIEW_STATUSES.join(', ')}, not "${String(query.status).slice(0, 40)}"`);
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_REVIEW_PAGE) throw errors.badReviewQuery(`limit must be a whole number from 1 to ${MAX_REVIEW_PAGE}`);
    if (query.after && !isUuid(query.after)) {
      throw errors.badReviewQuery('after must be the "next" of the page before (a lead id)');
    }
    const page = (await opts.possibleDuplicates?.list(tenantId, { status, limit, after: query.after || undefined })) ?? [];
    return { possibleDuplicates: page, next: page.length === limit ? page.at(-1)!.leadId : '' };
  }

  /** A person's decision on a possible duplicate: 'duplicate' merges it into its lead, 'distinct' keeps both. */
  async function decidePossibleDuplicate(leadId: string, tenantId: string, decision: unknown) {
    if (decision !== 'duplicate' && decision !== 'distinct') throw errors.badPossibleDecision();
    const result = (await opts.possibleDuplicates?.decide(leadId, tenantId, decision)) ?? { status: 'not_found' as const };
    switch (result.status) {
      case 'not_found':
        throw errors.possibleDuplicateNotFound(leadId);
      case 'already_decided':
        throw errors.possibleDuplicateDecided(leadId, result.possibleDuplicate.status, result.possibleDuplicate.decidedAt ?? '');
      case 'matched_lead_gone':
        throw errors.matchedLeadGone(leadId, result.possibleDuplicate.matchedLeadId);
      default:
        return { possibleDuplicate: result.possibleDuplicate, merge: result.merge };
    }
  }

  /** Sets how the tenant's rows (or one supplier's) are deduplicated; the dedup service applies it within 30 s. */
  async function setDedupPolicy(tenantId: string, supplier: string, policy: unknown) {
    let parsed: object;
    try {
      parsed = parsePolicy(policy);
    } catch (err) {
      throw errors.badPolicy((err as Error).message);
    }
    await opts.policies?.save(tenantId, supplier.trim(), parsed);
    return { supplier: supplier.trim(), policy: parsed };
  }

  const listDedupPolicies = async (tenantId: string) => (await opts.policies?.list(tenantId)) ?? [];

  /** The tenant's job limits: at most maxRunningJobs of its jobs run at once (0: no limit). */
  async function getJobLimits(tenantId: string): Promise<JobLimitsView> {
    return (await opts.admission?.getLimits(tenantId)) ?? { maxRunningJobs: 0 };
  }

  /** Sets the tenant's job limits; jobs waiting start when places free up, jobs running go on. */
  async function setJobLimits(tenantId: string, body: unknown): Promise<JobLimitsView> {
    const max = (body as { maxRunningJobs?: unknown } | null)?.maxRunningJobs;
    const keys = body !== null && typeof body === 'object' ? Object.keys(body) : [];
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 0 || max > MAX_RUNNING_JOBS || keys.some((k) => k !== 'maxRunningJobs')) {
      throw new GatewayError('INVALID_JOB_LIMITS', `maxRunningJobs must be a whole number from 0 (no limit) to ${MAX_RUNNING_JOBS}, the only field`);
    }
    if (!opts.admission) throw new GatewayError('INTERNAL', 'this gateway keeps no job limits');
    return opts.admission.setLimits(tenantId, max);
  }

  return {
    upload, startUpload, getJob, watchJob, addDncNumbers, exportRows, getMapping, confirmMapping, listMerges, revertMerge, setDedupPolicy, listDedupPolicies,
    listPossibleDuplicates, decidePossibleDuplicate, listJobs, listJobErrors, getJobLimits, setJobLimits,
    /** GET /v1/storage: the tenant's rows and bytes per table, and the last and next cleanup of raw cells. */
    async getStorage(tenantId: string): Promise<StorageView> {
      if (!opts.storage) return { tables: [], lastCleanup: null, nextCleanup: null };
      return opts.storage(tenantId);
    },
    ...createSupplierService(opts.suppliers, { onRenamed: opts.supplierMappings?.rename }),
    ...createSupplierMappingService(opts.suppliers, opts.supplierMappings),
    ...createSupplierScorecards(opts.suppliers, opts.scorecardFacts),
    // Tenants' tag rules, evaluated per lead by the enrichment stage (tag-rule-settings.ts).
    ...createTagRuleSettings(opts.tagRules),
    // Quality score weights and threshold, exclusivity and calling windows (quality-settings-service.ts).
    ...createQualitySettingsService(opts.qualitySettings),
    // The CSV template and the tenant's header synonyms (mapping-settings.ts).
    ...createMappingSettings(opts.mapping),
    cancelJob: (id: string, tenantId: string) => cancelJob(jobs, id, tenantId, opts.jobsEnded),
    // The job's accepted leads as one CSV, once it has finished storing (job-download.ts).
    downloadJob: (id: string, tenantId: string) => downloadJob(getJob, opts.exports, id, tenantId),
    // Leads that arrive one at a time (lead-intake.ts).
    submitLead: createLeadIntake({ jobs, sink: opts.leads }),
    // The Do-Not-Call lists: every list of the tenant, and loads (dnc-list-service.ts).
    ...createDncListService(opts.dnc, opts.dncOperators, opts.defaultRegion),
    // Delivery's endpoints, secrets, job rates, deliveries and replays (webhook-service.ts).
    ...createWebhookService({ admin: opts.webhooks, outbound: opts.outbound, resolve: opts.resolve, jobExists: async (id, tenantId) => void (await findJob(id, tenantId)) }),
    // Exemptions with their evidence (dnc-exemption-service.ts).
    ...createDncExemptionService(opts.dncExemptions, opts.defaultRegion),
    // A tenant's policy for stale lists, and what was decided for a number (dnc-compliance-service.ts).
    ...dncCompliance(opts),
    // Re-screenings of stored leads: asked for, and their state (rescreen-service.ts).
    ...rescreens(opts),
    // POST /v1/erasure, gRPC ErasePerson (erasure-service.ts).
    ...createErasureService(opts.erasure, opts.defaultRegion),
  };
}

/** The re-screening calls, or ones that say this gateway has none (a test's service without a database). */
function rescreens(opts: JobServiceOptions): ReturnType<typeof createRescreenService> {
  if (opts.rescreens) return opts.rescreens;
  const none = async (): Promise<never> => {
    throw new GatewayError('INTERNAL', 'this gateway keeps no re-screenings');
  };
  return { requestRescreen: none, getRescreen: none };
}

/** The compliance calls, or ones that say this gateway has none (a test's service without a database). */
function dncCompliance(opts: JobServiceOptions): ReturnType<typeof createDncComplianceService> {
  if (opts.dncCompliance) return opts.dncCompliance;
  const none = async (): Promise<never> => {
    throw new GatewayError('INTERNAL', 'this gateway keeps no Do-Not-Call policies or audit');
  };
  return { getDncPolicy: none, setDncPolicy: none, getDncAudit: none };
}
