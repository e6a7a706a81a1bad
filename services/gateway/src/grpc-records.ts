import type { sendUnaryData, ServerErrorResponse, ServerReadableStream } from '@grpc/grpc-js';
import type { Job, PushRecordsRequest, PushRecordsResponse, StreamRecord } from '@leadflow/proto';
import type { ConcurrencyLimit } from './concurrency-limit.js';
import { GatewayError } from './gateway-error.js';
import type { JobService } from './job-service.js';
import type { JobView } from './job-store.js';
import { recordFileName } from './record-upload.js';

/** Records gathered into one chunk of the job's bytes: a Kafka message of the uploads topic, or a write of the in-process reader. */
const CHUNK_CHARS = 64 * 1024;

export interface PushRecordsDeps {
  service: JobService;
  limits: ConcurrencyLimit;
  /** The caller's tenant, once its key may call PushRecords. */
  tenantOf(call: ServerReadableStream<PushRecordsRequest, PushRecordsResponse>): Promise<string>;
  toStatus(err: unknown): Partial<ServerErrorResponse>;
  toProtoJob(job: JobView): Job;
}

/**
 * gRPC PushRecords: UploadMetadata first, then records, answered with the job once the last is
 * handed on, as UploadFile is. The records become the job's bytes as NDJSON, one object a line,
 * so that they travel and are read exactly as `POST /v1/jobs` with application/x-ndjson: the same
 * limits, the same header growing with new keys, the same job (docs/record-streams.md).
 */
export function pushRecordsRpc(deps: PushRecordsDeps) {
  return (call: ServerReadableStream<PushRecordsRequest, PushRecordsResponse>, callback: sendUnaryData<PushRecordsResponse>) => {
    (async (): Promise<PushRecordsResponse> => {
      const tenantId = await deps.tenantOf(call);
      const release = deps.limits.acquire(tenantId, 'upload');
      try {
        const messages = call[Symbol.asyncIterator]() as AsyncIterator<PushRecordsRequest>;
        const first = await messages.next();
        const meta = first.done ? undefined : first.value.metadata;
        if (!meta) throw new GatewayError('METADATA_FIRST', 'send UploadMetadata as the first message, then the records');
        const job = await deps.service.upload(
          { tenantId, supplier: meta.supplier, webhookUrl: meta.webhookUrl, sheet: '', review: meta.review, priority: meta.priority, fileName: recordFileName(meta.fileName, 'ndjson') },
          ndjsonOf(messages),
        );
        return { job: deps.toProtoJob(job) };
      } finally {
        release();
      }
    })().then(
      (res) => callback(null, res),
      (err) => callback(deps.toStatus(err)),
    );
  };
}

/** The records after the metadata as NDJSON bytes, a few records to a chunk. */
async function* ndjsonOf(messages: AsyncIterator<PushRecordsRequest>): AsyncGenerator<Uint8Array> {
  let lines: string[] = [];
  let chars = 0;
  for (;;) {
    let next: IteratorResult<PushRecordsRequest>;
    try {
      next = await messages.next();
    } catch {
      // The client cancelled, or its stream broke: the records did not arrive whole.
      throw new GatewayError('UPLOAD_ABORTED');
    }
    if (next.done) break;
    if (next.value.metadata) throw new GatewayError('METADATA_FIRST', 'send UploadMetadata once, as the first message, then only records');
    if (!next.value.record) continue;
    const line = lineOf(next.value.record);
    lines.push(line);
    chars += line.length;
    if (chars >= CHUNK_CHARS) {
      yield Buffer.from(lines.join(''));
      lines = [];
      chars = 0;
    }
  }
  if (lines.length > 0) yield Buffer.from(lines.join(''));
}

/** A record as one NDJSON line: its keys in the order they came on the wire. */
const lineOf = (record: StreamRecord) => `${JSON.stringify(record.fields)}\n`;
