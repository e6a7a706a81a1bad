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
  type GetJobRequest,
  type GetJobResponse,
  type Job,
  type LeadflowGatewayServer,
  type UploadFileRequest,
  type UploadFileResponse,
  type WatchJobRequest,
  type WatchJobResponse,
} from '@leadflow/proto';
import type { MergeRecord, PossibleDuplicate as PossibleDuplicateRecord } from '@leadflow/persistence';
import { grpcStatusOf } from './error-catalogue.js';
import { errors, GatewayError } from './gateway-error.js';
import type { JobService } from './job-service.js';
import type { JobView } from './job-store.js';

const STATUS: Record<JobView['status'], JobStatus> = {
  queued: JobStatus.JOB_STATUS_QUEUED,
  running: JobStatus.JOB_STATUS_RUNNING,
  awaiting_review: JobStatus.JOB_STATUS_AWAITING_REVIEW,
  stalled: JobStatus.JOB_STATUS_STALLED,
  completed: JobStatus.JOB_STATUS_COMPLETED,
  failed: JobStatus.JOB_STATUS_FAILED,
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
  /** The tenant of a call (from its metadata). */
  tenantOf: (metadata: import('@grpc/grpc-js').Metadata) => string;
}

/** The partner API over gRPC, with health checking and reflection. */
export function createGrpcServer(opts: GrpcServerOptions) {
  const { service, logger } = opts;
  /** A catalogued error as a gRPC status: details `CODE: message`, and the code (and job) in the trailers too. */
  const toStatus = (err: unknown): Partial<ServerErrorResponse> => {
    if (!(err instanceof GatewayError)) logger.error({ err }, 'gRPC call failed');
    const known = err instanceof GatewayError ? err : new GatewayError('INTERNAL', 'internal error; it has been logged');
    const metadata = new Metadata();
    metadata.set('leadflow-error-code', known.code);
    if (known.jobId) metadata.set('leadflow-job-id', known.jobId);
    return { code: grpcStatusOf(known.code), details: `${known.code}: ${known.message}`, metadata };
  };
  const unary =
    <Req, Res>(fn: (call: ServerUnaryCall<Req, Res>) => Promise<Res>) =>
    (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
      fn(call).then(
        (res) => callback(null, res),
        (err) => callback(toStatus(err)),
      );
    };

  const impl: LeadflowGatewayServer = {
    uploadFile(call: ServerReadableStream<UploadFileRequest, UploadFileResponse>, callback: sendUnaryData<UploadFileResponse>) {
      const run = async (): Promise<UploadFileResponse> => {
        const iterator = call[Symbol.asyncIterator]() as AsyncIterator<UploadFileRequest>;
        const first = await iterator.next();
        const meta = first.done ? undefined : (first.value as UploadFileRequest).metadata;
        if (!meta) throw errors.metadataFirst();
        async function* chunks(): AsyncGenerator<Uint8Array> {
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
            if (next.value.chunk) yield next.value.chunk;
          }
        }
        const job = await service.upload(
          { tenantId: opts.tenantOf(call.metadata), supplier: meta.supplier, webhookUrl: meta.webhookUrl, fileName: meta.fileName, sheet: meta.sheet, review: meta.review },
          chunks(),
        );
        return { job: toProtoJob(job) };
      };
      run().then(
        (res) => callback(null, res),
        (err) => callback(toStatus(err)),
      );
    },
    getJob: unary<GetJobRequest, GetJobResponse>(async (call) => ({
      job: toProtoJob(await service.getJob(call.request.id, opts.tenantOf(call.metadata))),
    })),
    watchJob(call: ServerWritableStream<WatchJobRequest, WatchJobResponse>) {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      (async () => {
        for await (const job of service.watchJob(call.request.id, opts.tenantOf(call.metadata), abort.signal)) {
          call.write({ job: toProtoJob(job) });
        }
        call.end();
      })().catch((err) => call.emit('error', toStatus(err)));
    },
    addDncNumbers: unary<AddDncNumbersRequest, AddDncNumbersResponse>(async (call) => service.addDncNumbers(call.request.numbers)),
    getMapping: unary<GetMappingRequest, GetMappingResponse>(async (call) =>
      service.getMapping(call.request.jobId, opts.tenantOf(call.metadata)),
    ),
    listMerges: unary<ListMergesRequest, ListMergesResponse>(async (call) => ({
      merges: (await service.listMerges(call.request.leadId, opts.tenantOf(call.metadata))).map(toProtoMerge),
    })),
    revertMerge: unary<RevertMergeRequest, RevertMergeResponse>(async (call) => {
      const r = await service.revertMerge(call.request.id, opts.tenantOf(call.metadata));
      return { merge: toProtoMerge(r.merge), restored: r.restored, kept: r.kept };
    }),
    setDedupPolicy: unary<SetDedupPolicyRequest, SetDedupPolicyResponse>(async (call) => {
      const saved = await service.setDedupPolicy(opts.tenantOf(call.metadata), call.request.supplier, fromProtoPolicy(call.request.policy));
      return { supplier: saved.supplier, policy: toProtoPolicy(saved.policy) };
    }),
    listDedupPolicies: unary<ListDedupPoliciesRequest, ListDedupPoliciesResponse>(async (call) => ({
      policies: (await service.listDedupPolicies(opts.tenantOf(call.metadata))).map((p) => ({
        supplier: p.supplier, policy: toProtoPolicy(p.policy as object), updatedAt: p.updatedAt,
      })),
    })),
    listPossibleDuplicates: unary<ListPossibleDuplicatesRequest, ListPossibleDuplicatesResponse>(async (call) => {
      const { status: wanted, limit, after } = call.request;
      const page = await service.listPossibleDuplicates(opts.tenantOf(call.metadata), { status: wanted, limit: limit || undefined, after });
      return { possibleDuplicates: page.possibleDuplicates.map(toProtoPossibleDuplicate), next: page.next };
    }),
    decidePossibleDuplicate: unary<DecidePossibleDuplicateRequest, DecidePossibleDuplicateResponse>(async (call) => {
      const r = await service.decidePossibleDuplicate(call.request.leadId, opts.tenantOf(call.metadata), call.request.decision);
      return { possibleDuplicate: toProtoPossibleDuplicate(r.possibleDuplicate), merge: r.merge ? toProtoMerge(r.merge) : undefined };
    }),
    confirmMapping: unary<ConfirmMappingRequest, ConfirmMappingResponse>(async (call) => ({
      columns: await service.confirmMapping(call.request.jobId, opts.tenantOf(call.metadata), call.request.fields),
    })),
    exportRows(call: ServerWritableStream<ExportRowsRequest, ExportRowsResponse>) {
      (async () => {
        const lines = await service.exportRows(call.request.kind, call.request.jobId, opts.tenantOf(call.metadata));
        let buffered = '';
        for await (const line of lines) {
          if (call.cancelled) return;
          buffered += line;
          // Messages of about 64 KiB: few enough to be cheap, small enough to stream.
          if (buffered.length >= 65_536) {
            call.write({ csv: buffered });
            buffered = '';
          }
        }
        if (buffered) call.write({ csv: buffered });
        call.end();
      })().catch((err) => call.emit('error', toStatus(err)));
    },
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
