import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import {
  Metadata,
  Server,
  ServerCredentials,
  type sendUnaryData,
  type ServerErrorResponse,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from '@leadflow/logger';
import {
  JobStatus,
  LeadflowGatewayService,
  protoDir,
  type AddDncNumbersRequest,
  type CancelJobRequest,
  type GetJobLimitsRequest,
  type GetStorageRequest,
  type Storage,
  type DncAudit,
  type DncPolicy,
  type GetDncAuditRequest,
  type GetDncPolicyRequest,
  type SetDncPolicyRequest,
  type GetQualitySettingsRequest,
  type QualitySettings,
  type SetQualitySettingsRequest,
  type JobLimits,
  type SetJobLimitsRequest,
  type CancelJobResponse,
  type AddDncNumbersResponse,
  type ConfirmMappingRequest,
  type DedupPolicy,
  type ListDedupPoliciesRequest,
  type ListDedupPoliciesResponse,
  type SetDedupPolicyRequest,
  type SetDedupPolicyResponse,
  type DecidePossibleDuplicateRequest,
  type DecidePossibleDuplicateResponse,
  type ListPossibleDuplicatesRequest,
  type ListPossibleDuplicatesResponse,
  type PossibleDuplicate,
  type ListMergesRequest,
  type ListMergesResponse,
  type Merge,
  type RevertMergeRequest,
  type RevertMergeResponse,
  type ConfirmMappingResponse,
  type ExportRowsRequest,
  type GetMappingRequest,
  type GetMappingResponse,
  type ExportRowsResponse,
  type DownloadJobRequest,
  type DownloadJobResponse,
  type GetJobRequest,
  type GetJobResponse,
  type Job,
  type LeadflowGatewayServer,
  type UploadFileRequest,
  type UploadFileResponse,
  type WatchJobRequest,
  type WatchJobResponse,
  type CreateSupplierRequest,
  type CreateSupplierResponse,
  type GetSupplierRequest,
  type GetSupplierResponse,
  type ListSuppliersRequest,
  type ListSuppliersResponse,
  type UpdateSupplierRequest,
  type UpdateSupplierResponse,
  type ListJobsRequest,
  type ListJobsResponse,
  type ListJobErrorsRequest,
  type ListJobErrorsResponse,
  GetRescreenRequest,
  Rescreen,
  RescreenLeadsRequest,
} from '@leadflow/proto';
import type { MergeRecord, PossibleDuplicate as PossibleDuplicateRecord } from '@leadflow/persistence';
import type { Counter } from 'prom-client';
import { createAuthenticator } from './access.js';
import type { Role } from './api-key.js';
import type { ApiKeyStore, Caller } from './api-key-store.js';
import { createConcurrencyLimit, type ConcurrencyLimit } from './concurrency-limit.js';
import { grpcStatusOf } from './error-catalogue.js';
import { errors, GatewayError } from './gateway-error.js';
import { streamCsv } from './grpc-csv-stream.js';
import type { JobService } from './job-service.js';
import type { QualitySettingsView } from './quality-settings-service.js';
import type { UploadPart } from './upload-receiver.js';
import type { JobView } from './job-store.js';
import type { RescreenView } from './rescreen-service.js';

/** A re-screening as gRPC answers it: '' for what has not happened. */
const toProtoRescreen = (v: RescreenView): Rescreen => ({
  ...v, jobId: v.jobId ?? '', error: v.error ?? '', startedAt: v.startedAt ?? '', finishedAt: v.finishedAt ?? '',
});
import { fromCreateSupplier, fromUpdateSupplier, toProtoMoney, toProtoSupplier, toProtoTotals } from './supplier-messages.js';
import { dncExemptionRpcs } from './dnc-exemption-rpcs.js';
import { dncListRpcs } from './dnc-list-rpcs.js';
import { erasureRpcs } from './erasure-rpcs.js';
import { pushRecordsRpc } from './grpc-records.js';
import { mappingRpcs } from './mapping-rpcs.js';
import { leadRpcs } from './lead-rpcs.js';
import { supplierMappingRpcs } from './supplier-mapping-rpcs.js';
import { webhookRpcs } from './webhook-rpcs.js';
import { tagRuleRpcs } from './tag-rule-rpcs.js';
import { fromProtoStatuses, toProtoEvent, toProtoProgress } from './grpc-jobs.js';

const STATUS: Record<JobView['status'], JobStatus> = {
  queued: JobStatus.JOB_STATUS_QUEUED,
  running: JobStatus.JOB_STATUS_RUNNING,
  awaiting_review: JobStatus.JOB_STATUS_AWAITING_REVIEW,
  stalled: JobStatus.JOB_STATUS_STALLED,
  completed: JobStatus.JOB_STATUS_COMPLETED,
  failed: JobStatus.JOB_STATUS_FAILED,
  cancelled: JobStatus.JOB_STATUS_CANCELLED,
  waiting_for_dnc_list: JobStatus.JOB_STATUS_WAITING_FOR_DNC_LIST,
};

export function toProtoJob(v: JobView): Job {
  return {
    id: v.id,
    status: STATUS[v.status],
    counts: v.counts,
    supplier: v.supplier,
    fileName: v.fileName,
    failureCode: v.failure?.code ?? '',
    failureMessage: v.failure?.message ?? '',
    createdAt: v.createdAt,
    supplierId: v.supplierId ?? '',
    costPerLead: toProtoMoney(v.costPerLead),
    totalCost: toProtoMoney(v.totalCost),
    costPerAcceptedLead: toProtoMoney(v.costPerAcceptedLead),
    progress: toProtoProgress(v.progress),
    cancelledAt: v.cancelledAt ?? '',
    bytesReceived: v.bytesReceived,
    priority: v.priority,
    files: v.files.map((f) => ({ name: f.name, rows: f.rows ?? undefined, bytes: f.bytes })),
    deliveryRate: v.deliveryRate && { perSecond: v.deliveryRate.perSecond ?? undefined, current: v.deliveryRate.current },
    waitingForDncList: v.waitingForDncList ?? '',
  };
}

/** A policy message as the JSON the job service checks: only the settings that were set. */
function fromProtoPolicy(p: DedupPolicy | undefined): Record<string, unknown> {
  const { compositeKeys = [], ...rest } = p ?? { compositeKeys: [] };
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  if (compositeKeys.length > 0) out.compositeKeys = compositeKeys.map((k) => k.fields);
  return out;
}

function toProtoPolicy(p: object): DedupPolicy {
  const { compositeKeys, ...rest } = p as { compositeKeys?: string[][] } & Omit<DedupPolicy, 'compositeKeys'>;
  return { ...rest, compositeKeys: (compositeKeys ?? []).map((fields) => ({ fields })) };
}

function toProtoMerge(m: MergeRecord): Merge {
  return {
    id: m.id, leadId: m.leadId, jobId: m.jobId, rowNumber: m.rowNumber, changes: m.changes,
    alternateEmails: m.alternates.emails, alternatePhones: m.alternates.phones, mergedAt: m.mergedAt, revertedAt: m.revertedAt ?? '',
  };
}

const toProtoPossibleDuplicate = (p: PossibleDuplicateRecord): PossibleDuplicate => ({ ...p, decidedAt: p.decidedAt ?? '' });

export interface GrpcServerOptions {
  service: JobService;
  logger: Logger;
  /** The API keys every call carries in its `authorization` metadata (health and reflection need none). */
  keys: ApiKeyStore;
  /** leadflow_auth_failures_total. */
  authFailures?: Counter<'reason'>;
  /** Uploads and streams a tenant may hold open at once: the same as REST's, shared with it. */
  limits?: ConcurrencyLimit;
}

/** The least role each RPC needs, as REST's routes (rest-app.ts): a method added without one does not compile. */
type Method = keyof LeadflowGatewayService;
const ACCESS: Record<Method, Role> = {
  uploadFile: 'uploader',
  getJob: 'viewer',
  watchJob: 'viewer',
  addDncNumbers: 'admin',
  getMapping: 'viewer',
  confirmMapping: 'uploader',
  exportRows: 'viewer',
  listMerges: 'viewer',
  revertMerge: 'admin',
  setDedupPolicy: 'admin',
  listDedupPolicies: 'viewer',
  listPossibleDuplicates: 'viewer',
  decidePossibleDuplicate: 'admin',
  createSupplier: 'admin',
  listSuppliers: 'viewer',
  getSupplier: 'viewer',
  updateSupplier: 'admin',
  getTemplate: 'viewer',
  getSynonyms: 'viewer',
  setSynonyms: 'admin',
  backupSynonyms: 'admin',
  listSynonymBackups: 'viewer',
  restoreSynonyms: 'admin',
  listJobs: 'viewer',
  listJobErrors: 'viewer',
  cancelJob: 'uploader',
  submitLead: 'uploader',
  getSupplierMapping: 'viewer',
  setSupplierMapping: 'admin',
  pushRecords: 'uploader',
  listDncLists: 'viewer',
  // A tenant's internal list is its admins'; a shared list needs an operator's tenant too (dnc-list-service.ts).
  replaceDncList: 'admin',
  changeDncList: 'admin',
  getJobLimits: 'viewer',
  getStorage: 'admin',
  setJobLimits: 'admin',
  // Delivery's control surface, as REST's routes (webhook-routes.ts).
  createWebhook: 'admin',
  listWebhooks: 'viewer',
  getWebhook: 'viewer',
  updateWebhook: 'admin',
  deleteWebhook: 'admin',
  rotateWebhookSecret: 'admin',
  getWebhookSecret: 'admin',
  getDefaultWebhookSecret: 'admin',
  rotateDefaultWebhookSecret: 'admin',
  setJobRate: 'uploader',
  listDeliveries: 'viewer',
  replayWebhook: 'admin',
  getEventSchema: 'viewer',
  downloadJob: 'viewer',
  // A tenant's exemptions: recorded and revoked by its admins, read by its viewers (dnc-exemption-service.ts).
  addDncExemption: 'admin',
  listDncExemptions: 'viewer',
  revokeDncExemption: 'admin',
  getDncPolicy: 'viewer',
  setDncPolicy: 'admin',
  getDncAudit: 'viewer',
  getTagRules: 'viewer',
  setTagRules: 'admin',
  getSupplierScorecard: 'viewer',
  getQualitySettings: 'viewer',
  setQualitySettings: 'admin',
  rescreenLeads: 'admin',
  getRescreen: 'viewer',
  // Deletes a person's data: an admin's (erasure-service.ts).
  erasePerson: 'admin',
};

/** The partner API over gRPC, with health checking and reflection. */
export function createGrpcServer(opts: GrpcServerOptions) {
  const { service, logger } = opts;
  const auth = createAuthenticator(opts.keys, opts.authFailures);
  const limits = opts.limits ?? createConcurrencyLimit();
  /** The caller of an RPC, allowed to call it; UNAUTHENTICATED or PERMISSION_DENIED otherwise. */
  const callerOf = (call: { metadata: Metadata }, method: Method): Promise<Caller> => {
    const header = call.metadata.get('authorization')[0];
    return auth.authorize(typeof header === 'string' ? header : undefined, ACCESS[method], `call ${method[0]!.toUpperCase()}${method.slice(1)}`);
  };
  /** A catalogued error as a gRPC status: details `CODE: message`, and the code (and job) in the trailers too. */
  const toStatus = (err: unknown): Partial<ServerErrorResponse> => {
    if (!(err instanceof GatewayError)) logger.error({ err }, 'gRPC call failed');
    const known = err instanceof GatewayError ? err : new GatewayError('INTERNAL', 'internal error; it has been logged');
    const metadata = new Metadata();
    metadata.set('leadflow-error-code', known.code);
    if (known.jobId) metadata.set('leadflow-job-id', known.jobId);
    // gRPC's retry throttling reads this trailer (gRFC A6), as an HTTP client reads Retry-After.
    const retryAfter = (known as { retryAfterSeconds?: number }).retryAfterSeconds;
    if (retryAfter !== undefined) metadata.set('grpc-retry-pushback-ms', String(retryAfter * 1000));
    return { code: grpcStatusOf(known.code), details: `${known.code}: ${known.message}`, metadata };
  };
  /** A unary RPC: its caller checked first, its tenant given to `fn`. */
  const unary =
    <Req, Res>(method: Method, fn: (call: ServerUnaryCall<Req, Res>, tenantId: string) => Promise<Res>) =>
    (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      callerOf(call, method).then((caller) => fn(call, caller.tenantId)).then(
        (res) => callback(null, res),
        (err) => callback(toStatus(err)),
      );
    };

  const impl: LeadflowGatewayServer = {
    ...mappingRpcs(service, unary),
    ...leadRpcs(service, unary, toProtoJob),
    ...supplierMappingRpcs(service, unary),
    ...webhookRpcs(service, unary),
    ...dncExemptionRpcs(service, unary),
    ...erasureRpcs(service, (call) => callerOf(call, 'erasePerson'), toStatus),
    ...tagRuleRpcs(service, unary),
    ...dncListRpcs({ service, unary, toStatus, tenantOf: async (call, method) => (await callerOf(call, method)).tenantId }),
    pushRecords: pushRecordsRpc({ service, limits, toStatus, toProtoJob, tenantOf: async (call) => (await callerOf(call, 'pushRecords')).tenantId }),
    uploadFile(call: ServerReadableStream<UploadFileRequest, UploadFileResponse>, callback: sendUnaryData<UploadFileResponse>) {
      const run = async (): Promise<UploadFileResponse> => {
        const { tenantId } = await callerOf(call, 'uploadFile');
        const release = limits.acquire(tenantId, 'upload');
        try {
          return await receive(tenantId);
        } finally {
          release();
        }
      };
      const receive = async (tenantId: string): Promise<UploadFileResponse> => {
        const iterator = call[Symbol.asyncIterator]() as AsyncIterator<UploadFileRequest>;
        const first = await iterator.next();
        const meta = first.done ? undefined : (first.value as UploadFileRequest).metadata;
        if (!meta) throw errors.metadataFirst();
        // Several files, one job (docs/several-files.md): next_file starts each file after the first.
        async function* chunks(): AsyncGenerator<UploadPart> {
          for (;;) {
            let next: IteratorResult<UploadFileRequest>;
            try {
              next = await iterator.next();
            } catch {
              // The client cancelled, or its stream broke: the upload did not arrive whole.
              throw new GatewayError('UPLOAD_ABORTED');
            }
            if (next.done) return;
            if (next.value.metadata) throw new GatewayError('METADATA_FIRST', 'send UploadMetadata once, as the first message, then only chunks');
            if (next.value.nextFile) yield { nextFile: next.value.nextFile.fileName };
            else if (next.value.chunk) yield next.value.chunk;
          }
        }
        const job = await service.upload(
          { tenantId, supplier: meta.supplier, webhookUrl: meta.webhookUrl, fileName: meta.fileName, sheet: meta.sheet, review: meta.review, priority: meta.priority },
          chunks(),
        );
        return { job: toProtoJob(job) };
      };
      run().then(
        (res) => callback(null, res),
        (err) => callback(toStatus(err)),
      );
    },
    getJob: unary<GetJobRequest, GetJobResponse>('getJob', async (call, tenantId) => ({
      job: toProtoJob(await service.getJob(call.request.id, tenantId)),
    })),
    watchJob(call: ServerWritableStream<WatchJobRequest, WatchJobResponse>) {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      (async () => {
        const { tenantId } = await callerOf(call, 'watchJob');
        await service.getJob(call.request.id, tenantId);
        const release = limits.acquire(tenantId, 'stream');
        try {
          for await (const { event, job } of service.watchJob(call.request.id, tenantId, abort.signal)) {
            call.write({ job: toProtoJob(job), event: toProtoEvent(event) });
          }
        } finally {
          release();
        }
        call.end();
      })().catch((err) => call.emit('error', toStatus(err)));
    },
    addDncNumbers: unary<AddDncNumbersRequest, AddDncNumbersResponse>('addDncNumbers', async (call, tenantId) => service.addDncNumbers(tenantId, call.request.numbers)),
    getMapping: unary<GetMappingRequest, GetMappingResponse>('getMapping', async (call, tenantId) => {
      const mapping = await service.getMapping(call.request.jobId, tenantId);
      return { ...mapping, files: mapping.files ?? [] };
    }),
    listMerges: unary<ListMergesRequest, ListMergesResponse>('listMerges', async (call, tenantId) => ({
      merges: (await service.listMerges(call.request.leadId, tenantId)).map(toProtoMerge),
    })),
    revertMerge: unary<RevertMergeRequest, RevertMergeResponse>('revertMerge', async (call, tenantId) => {
      const r = await service.revertMerge(call.request.id, tenantId);
      return { merge: toProtoMerge(r.merge), restored: r.restored, kept: r.kept };
    }),
    setDedupPolicy: unary<SetDedupPolicyRequest, SetDedupPolicyResponse>('setDedupPolicy', async (call, tenantId) => {
      const saved = await service.setDedupPolicy(tenantId, call.request.supplier, fromProtoPolicy(call.request.policy));
      return { supplier: saved.supplier, policy: toProtoPolicy(saved.policy) };
    }),
    listDedupPolicies: unary<ListDedupPoliciesRequest, ListDedupPoliciesResponse>('listDedupPolicies', async (call, tenantId) => ({
      policies: (await service.listDedupPolicies(tenantId)).map((p) => ({
        supplier: p.supplier, policy: toProtoPolicy(p.policy as object), updatedAt: p.updatedAt,
      })),
    })),
    listPossibleDuplicates: unary<ListPossibleDuplicatesRequest, ListPossibleDuplicatesResponse>('listPossibleDuplicates', async (call, tenantId) => {
      const { status: wanted, limit, after } = call.request;
      const page = await service.listPossibleDuplicates(tenantId, { status: wanted, limit: limit || undefined, after });
      return { possibleDuplicates: page.possibleDuplicates.map(toProtoPossibleDuplicate), next: page.next };
    }),
    decidePossibleDuplicate: unary<DecidePossibleDuplicateRequest, DecidePossibleDuplicateResponse>('decidePossibleDuplicate', async (call, tenantId) => {
      const r = await service.decidePossibleDuplicate(call.request.leadId, tenantId, call.request.decision);
      return { possibleDuplicate: toProtoPossibleDuplicate(r.possibleDuplicate), merge: r.merge ? toProtoMerge(r.merge) : undefined };
    }),
    createSupplier: unary<CreateSupplierRequest, CreateSupplierResponse>('createSupplier', async (call, tenantId) => ({
      supplier: toProtoSupplier(await service.createSupplier(tenantId, fromCreateSupplier(call.request))),
    })),
    listSuppliers: unary<ListSuppliersRequest, ListSuppliersResponse>('listSuppliers', async (call, tenantId) => {
      const { active, limit, after } = call.request;
      const page = await service.listSuppliers(tenantId, { active, limit: limit || undefined, after });
      return { suppliers: page.suppliers.map(toProtoSupplier), next: page.next };
    }),
    getSupplier: unary<GetSupplierRequest, GetSupplierResponse>('getSupplier', async (call, tenantId) => {
      const { totals, ...supplier } = await service.getSupplier(call.request.id, tenantId);
      return { supplier: toProtoSupplier(supplier), totals: toProtoTotals(totals) };
    }),
    updateSupplier: unary<UpdateSupplierRequest, UpdateSupplierResponse>('updateSupplier', async (call, tenantId) => ({
      supplier: toProtoSupplier(await service.updateSupplier(call.request.id, tenantId, fromUpdateSupplier(call.request))),
    })),
    listJobs: unary<ListJobsRequest, ListJobsResponse>('listJobs', async (call, tenantId) => {
      const r = call.request;
      const page = await service.listJobs(tenantId, {
        status: fromProtoStatuses(r.status), supplier: r.supplier, q: r.q, createdFrom: r.createdFrom, createdTo: r.createdTo,
        limit: r.limit || undefined, after: r.after,
      });
      return { jobs: page.jobs.map(toProtoJob), next: page.next ?? '' };
    }),
    listJobErrors: unary<ListJobErrorsRequest, ListJobErrorsResponse>('listJobErrors', async (call, tenantId) => ({
      errors: await service.listJobErrors(call.request.jobId, tenantId, call.request.limit || undefined),
    })),
    confirmMapping: unary<ConfirmMappingRequest, ConfirmMappingResponse>('confirmMapping', async (call, tenantId) => {
      const decided = await service.confirmMapping(call.request.jobId, tenantId, call.request.fields, call.request.file);
      return { columns: decided.columns, files: decided.files ?? [] };
    }),
    exportRows(call: ServerWritableStream<ExportRowsRequest, ExportRowsResponse>) {
      (async () => {
        const { tenantId } = await callerOf(call, 'exportRows');
        const lines = await service.exportRows(call.request.kind, call.request.jobId, tenantId);
        await streamCsv(call, limits.acquire(tenantId, 'stream'), lines, (csv) => ({ csv }));
      })().catch((err) => call.emit('error', toStatus(err)));
    },
    downloadJob(call: ServerWritableStream<DownloadJobRequest, DownloadJobResponse>) {
      (async () => {
        const { tenantId } = await callerOf(call, 'downloadJob');
        const lines = await service.downloadJob(call.request.jobId, tenantId);
        await streamCsv(call, limits.acquire(tenantId, 'stream'), lines, (csv) => ({ chunk: Buffer.from(csv, 'utf8') }));
      })().catch((err) => call.emit('error', toStatus(err)));
    },
    cancelJob: unary<CancelJobRequest, CancelJobResponse>('cancelJob', async (call, tenantId) => ({
      job: toProtoJob(await service.cancelJob(call.request.id, tenantId)),
    })),
    getJobLimits: unary<GetJobLimitsRequest, JobLimits>('getJobLimits', async (_call, tenantId) => service.getJobLimits(tenantId)),
    getStorage: unary<GetStorageRequest, Storage>('getStorage', async (_call, tenantId) => {
      const { tables, lastCleanup, nextCleanup } = await service.getStorage(tenantId);
      return {
        tables,
        lastCleanup: lastCleanup ? { ...lastCleanup, finishedAt: lastCleanup.finishedAt ?? '', error: lastCleanup.error ?? '' } : undefined,
        nextCleanup: nextCleanup ?? '',
      };
    }),
    setJobLimits: unary<SetJobLimitsRequest, JobLimits>('setJobLimits', async (call, tenantId) =>
      service.setJobLimits(tenantId, { maxRunningJobs: call.request.maxRunningJobs }),
    ),
    getDncPolicy: unary<GetDncPolicyRequest, DncPolicy>('getDncPolicy', async (_call, tenantId) => service.getDncPolicy(tenantId)),
    setDncPolicy: unary<SetDncPolicyRequest, DncPolicy>('setDncPolicy', async (call, tenantId) => service.setDncPolicy(tenantId, { staleList: call.request.staleList })),
    getDncAudit: unary<GetDncAuditRequest, DncAudit>('getDncAudit', async (call, tenantId) =>
      service.getDncAudit(tenantId, call.request.phone, call.request.limit || undefined),
    ),
    getQualitySettings: unary<GetQualitySettingsRequest, QualitySettings>('getQualitySettings', async (_call, tenantId) =>
      toProtoQualitySettings(await service.getQualitySettings(tenantId)),
    ),
    setQualitySettings: unary<SetQualitySettingsRequest, QualitySettings>('setQualitySettings', async (call, tenantId) =>
      toProtoQualitySettings(await service.setQualitySettings(tenantId, qualitySettingsBody(call.request))),
    ),
    rescreenLeads: unary<RescreenLeadsRequest, Rescreen>('rescreenLeads', async (call, tenantId) =>
      toProtoRescreen(await service.requestRescreen(tenantId, { ...(call.request.list ? { list: call.request.list } : {}), ...(call.request.jobId ? { jobId: call.request.jobId } : {}) })),
    ),
    getRescreen: unary<GetRescreenRequest, Rescreen>('getRescreen', async (call, tenantId) => toProtoRescreen(await service.getRescreen(tenantId, call.request.id))),
  };

  const server = new Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024 });
  server.addService(LeadflowGatewayService, impl);
  const health = new HealthImplementation({ '': 'NOT_SERVING', 'leadflow.v1.LeadflowGateway': 'NOT_SERVING' });
  health.addToServer(server);
  new ReflectionService(loadSync(join(protoDir, 'leadflow', 'v1', 'gateway.proto'), { includeDirs: [protoDir] })).addToServer(server);
  let boundPort = 0;

  return {
    name: 'grpc-server',
    get port() {
      return boundPort;
    },
    async listen(port: number, host = '0.0.0.0') {
      boundPort = await new Promise<number>((resolve, reject) =>
        server.bindAsync(`${isIPv6(host) ? `[${host}]` : host}:${port}`, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
      );
      health.setStatus('', 'SERVING');
      health.setStatus('leadflow.v1.LeadflowGateway', 'SERVING');
    },
    async close(graceMs = 5_000) {
      health.setStatus('', 'NOT_SERVING');
      health.setStatus('leadflow.v1.LeadflowGateway', 'NOT_SERVING');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/** The settings as gRPC answers them: the REST answer's fields, `updatedAt` '' when never set. */
const toProtoQualitySettings = (v: QualitySettingsView): QualitySettings => ({
  weights: { ...v.weights }, threshold: v.threshold, thresholdAction: v.thresholdAction, exclusivityDays: v.exclusivityDays,
  callingWindow: { ...v.callingWindow }, updatedAt: v.updatedAt ?? '',
});

/** A SetQualitySettings request as the body of PUT /v1/settings/quality: only the fields it sets. */
function qualitySettingsBody(r: SetQualitySettingsRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (Object.keys(r.weights).length > 0) body.weights = r.weights;
  if (r.threshold !== undefined) body.threshold = r.threshold;
  if (r.thresholdAction !== undefined) body.thresholdAction = r.thresholdAction;
  if (r.exclusivityDays !== undefined) body.exclusivityDays = r.exclusivityDays;
  if (r.callingWindow) body.callingWindow = { start: r.callingWindow.start, end: r.callingWindow.end };
  return body;
}
