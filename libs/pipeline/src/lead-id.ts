import { createHash } from 'node:crypto';

// Fixed namespace of Leadflow lead ids (a random UUID chosen once; never change it).
const NAMESPACE = Buffer.from('6f1b2f4e9c3a4d0e8a57c2d1e0b7f3a9', 'hex');

/**
 * The id of the lead that row `rowNumber` of job `jobId` becomes: a name-based UUID
 * (RFC 9562 version 5), so every stage and every redelivery computes the same id.
 */
export function leadIdFor(jobId: string, rowNumber: number): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${jobId}:${rowNumber}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Whether `text` is written as a UUID (a lead id): what to check before asking the database for one. */
export const isUuid = (text: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text);
