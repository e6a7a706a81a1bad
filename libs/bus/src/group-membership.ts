import type { Consumer } from 'kafkajs';
import type { Logger } from '@leadflow/logger';

/**
 * kafkajs error types that mean the group is taking this member's partitions away: a rebalance
 * has begun (or ended without it), or the coordinator no longer knows the member.
 */
const LOST = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'NOT_COORDINATOR_FOR_GROUP', 'UNKNOWN_MEMBER_ID']);

export const isPartitionLoss = (err: unknown) => LOST.has((err as { type?: string } | null)?.type ?? '');

export interface GroupMembership {
  /**
   * Runs one message's work while heartbeating every `heartbeatIntervalMs`, so that work longer
   * than the session timeout keeps its partition (kafkajs heartbeats only between messages).
   * `work` gets a signal that aborts when a heartbeat finds the group taking the partitions
   * away; it should then stop at its next safe point. Work that fails after the signal aborted
   * fails with the group's error, which makes kafkajs rejoin at once; no work starts while the
   * member is on its way out.
   */
  keepAlive<T>(heartbeat: () => Promise<void>, work: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

export function trackGroupMembership(consumer: Consumer, opts: { heartbeatIntervalMs: number; logger: Logger; onLost?: () => void }): GroupMembership {
  // One controller a generation of the group: every message in hand shares it, and joining again starts a new one.
  let generation = new AbortController();
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (generation.signal.aborted) generation = new AbortController();
  });
  const lose = (err: unknown) => {
    if (generation.signal.aborted) return;
    opts.logger.warn({ error: (err as Error).message }, 'the group is taking this member\'s partitions away: stopping the work in hand');
    generation.abort(err);
    opts.onLost?.();
  };

  return {
    async keepAlive(heartbeat, work) {
      const { signal } = generation;
      signal.throwIfAborted();
      const timer = setInterval(() => {
        heartbeat().catch((err: unknown) => {
          if (isPartitionLoss(err)) lose(err);
          else opts.logger.debug({ error: (err as Error).message }, 'heartbeat failed: trying again');
        });
      }, opts.heartbeatIntervalMs);
      try {
        return await work(signal);
      } catch (err) {
        throw signal.aborted ? signal.reason : err;
      } finally {
        clearInterval(timer);
      }
    },
  };
}
