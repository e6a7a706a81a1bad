import type { Admin } from 'kafkajs';
import { priorityTopics, TOPICS, type Topic } from './topics.js';

/** A consumer group and the topic it reads. */
export interface GroupInput {
  groupId: string;
  topic: Topic<unknown>;
  /** The group reads the topic's priority variants too (topics.ts): its lag is their sum. */
  byPriority?: boolean;
}

/** Each stage's consumer group (the service name) and its input topic (docs/architecture.md section 1). */
export const STAGE_INPUTS: readonly GroupInput[] = [
  { groupId: 'ingest', topic: TOPICS.uploads, byPriority: true },
  { groupId: 'mapping', topic: TOPICS.rowsRaw, byPriority: true },
  { groupId: 'dedup', topic: TOPICS.leadsMapped, byPriority: true },
  { groupId: 'enrichment', topic: TOPICS.leadsDeduped, byPriority: true },
  { groupId: 'dnc', topic: TOPICS.leadsEnriched, byPriority: true },
  { groupId: 'persistence', topic: TOPICS.leadsScreened, byPriority: true },
  { groupId: 'delivery', topic: TOPICS.leadsStored, byPriority: true },
];

export interface GroupLag extends GroupInput {
  /** Messages on the topic the group has not committed: batches of rows (file chunks for ingest). */
  messages: number;
}

/**
 * How far each group is behind on its topic: for every partition, the end offset less the
 * group's committed offset (the whole retained log, from the low offset, where it committed none).
 * Two admin requests a group; read at an interval by one component, never per request.
 */
export async function consumerLag(admin: Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>, groups: readonly GroupInput[]): Promise<GroupLag[]> {
  const ends = new Map<string, Promise<{ partition: number; high: string; low: string }[]>>();
  return Promise.all(
    groups.map(async (g) => {
      const names = g.byPriority ? priorityTopics(g.topic).map((t) => t.name) : [g.topic.name];
      let behind = 0n;
      for (const name of names) {
        if (!ends.has(name)) ends.set(name, admin.fetchTopicOffsets(name));
        const [end, [committed]] = await Promise.all([ends.get(name)!, admin.fetchOffsets({ groupId: g.groupId, topics: [name] })]);
        const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
        for (const p of end) {
          const from = at.get(p.partition) ?? -1n;
          const start = from < 0n ? BigInt(p.low) : from;
          if (BigInt(p.high) > start) behind += BigInt(p.high) - start;
        }
      }
      return { ...g, messages: Number(behind) };
    }),
  );
}
