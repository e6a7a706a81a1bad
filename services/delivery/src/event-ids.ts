import { createHash } from 'node:crypto';

/**
 * An event's id, the `webhook-id` of every attempt to send it: `msg_` and a digest of what makes
 * the event (its destination, its type, its job and its first row), so that a batch consumed
 * twice (a crash between the outbox write and the offset commit) writes the same ids, and
 * `ON CONFLICT DO NOTHING` keeps the first. The destination is the endpoint's id, or the URL of
 * a job's own webhook.
 */
export function eventId(destination: string, eventType: string, jobId: string, firstRow: number): string {
  const digest = createHash('sha256').update(`${destination}\n${eventType}\n${jobId}\n${firstRow}`).digest('base64url');
  return `msg_${digest.slice(0, 27)}`;
}
