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

/** A job's priority: the order its batches are taken in by every stage (docs/job-priority.md). */
export const PRIORITIES = ['high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** A job's priority as its JobRef carries it: anything but "high" or "low" is normal. */
export function priorityOf(job: { priority?: string } | undefined): Priority {
  const p = job?.priority;
  return p === 'high' || p === 'low' ? p : 'normal';
}

/**
 * The variant of a stage topic for a priority: the topic itself for normal, and
 * `leadflow.leads.mapped.high.v1` / `leadflow.leads.mapped.low.v1` beside it.
 */
export function priorityTopic<T>(base: Topic<T>, priority: Priority): Topic<T> {
  if (priority === 'normal') return base;
  const at = base.name.lastIndexOf('.v');
  return topic(`${base.name.slice(0, at)}.${priority}${base.name.slice(at)}`, base.codec);
}

/** A stage topic's three variants, highest priority first. */
export const priorityTopics = <T>(base: Topic<T>): Topic<T>[] => PRIORITIES.map((p) => priorityTopic(base, p));

/** The variant of `base` that a job's batches travel on. */
export const topicFor = <T>(base: Topic<T>, job: { priority?: string } | undefined): Topic<T> => priorityTopic(base, priorityOf(job));
