import { DeadLetter, LeadBatch, RowBatch, UploadChunk } from '@leadflow/proto';

/** A protobuf codec: ts-proto's generated message functions fit it. */
export interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

export interface Topic<T> {
  readonly name: string;
  readonly codec: Codec<T>;
}

export const topic = <T>(name: string, codec: Codec<T>): Topic<T> => ({ name, codec });

/** Every topic of the pipeline (docs/architecture.md section 1). Keyed by job id. */
export const TOPICS = {
  uploads: topic('leadflow.uploads.v1', UploadChunk),
  rowsRaw: topic('leadflow.rows.raw.v1', RowBatch),
  leadsMapped: topic('leadflow.leads.mapped.v1', LeadBatch),
  leadsDeduped: topic('leadflow.leads.deduped.v1', LeadBatch),
  leadsEnriched: topic('leadflow.leads.enriched.v1', LeadBatch),
  leadsScreened: topic('leadflow.leads.screened.v1', LeadBatch),
  leadsStored: topic('leadflow.leads.stored.v1', LeadBatch),
  dlq: topic('leadflow.dlq.v1', DeadLetter),
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS]['name'];
