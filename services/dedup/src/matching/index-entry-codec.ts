import type { IndexEntry } from './candidate-index.js';
import type { MatchRecord } from './record.js';

// How the stored indexes (Redis, SQL) keep an entry and name a block: the same for both.

const RECORD_FIELDS = [
  'first', 'last', 'emailKey', 'phone', 'streetNumber', 'streetName', 'line2', 'city', 'postalCode', 'state', 'company',
] as const satisfies readonly (keyof MatchRecord)[];

/**
 * An entry as stored: its place in the tenant's order, its record's fields, what it is a duplicate
 * of (or 0), and its alternate email keys and phones. The last two only when it has alternates, so
 * an entry without is stored as before they existed, and entries stored before read as without.
 */
type EncodedEntry = [leadId: string, jobId: string, rowNumber: number, time: number, ...fields: (string | EncodedTarget | 0 | string[])[]];
type EncodedTarget = [leadId: string, jobId: string, rowNumber: number, time: number];

const NONE: readonly string[] = Object.freeze([]);

/** An entry as one JSON array: a third of the size of the object, and parsed at once with its neighbours. */
export function encodeEntry(e: IndexEntry): string {
  const fields: (string | EncodedTarget | 0 | readonly string[])[] = RECORD_FIELDS.map((f) => e.record[f]);
  const alternates = e.record.otherEmailKeys.length + e.record.otherPhones.length > 0;
  if (e.duplicateOf) fields.push([e.duplicateOf.leadId, e.duplicateOf.jobId, e.duplicateOf.rowNumber, e.duplicateOf.time]);
  else if (alternates) fields.push(0);
  if (alternates) fields.push(e.record.otherEmailKeys, e.record.otherPhones);
  return JSON.stringify([e.leadId, e.jobId, e.rowNumber, e.time, ...fields]);
}

/** The entry of a parsed `encodeEntry` array. */
export function decodeEntry([leadId, jobId, rowNumber, time, ...fields]: EncodedEntry): IndexEntry {
  const [target, emails, phones] = fields.slice(RECORD_FIELDS.length) as [EncodedTarget | 0 | undefined, string[]?, string[]?];
  const record = { otherEmailKeys: emails ?? NONE, otherPhones: phones ?? NONE } as MatchRecord;
  RECORD_FIELDS.forEach((f, i) => (record[f] = (fields[i] as string | undefined) ?? ''));
  const entry: IndexEntry = { owner: `${jobId}:${rowNumber}`, leadId, jobId, rowNumber, time, record };
  if (target) entry.duplicateOf = { leadId: target[0], jobId: target[1], rowNumber: target[2], time: target[3] };
  return entry;
}

/** Entries encoded by `encodeEntry`, joined by commas: parsed in one JSON.parse (null where one is missing). */
export function decodeEntries(joined: string): (IndexEntry | null)[] {
  return (JSON.parse(`[${joined}]`) as (EncodedEntry | null)[]).map((e) => (e ? decodeEntry(e) : null));
}

/**
 * 53 bits of hash of a blocking key (cyrb53: two 32-bit multiplicative hashes mixed; a few
 * thousand a batch, so not SHA-256). The stores keep blocks by it: their keys hold no names or
 * addresses, and two blocking keys with one hash only share their candidates, which the matcher
 * then tells apart.
 */
export function blockHash(block: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < block.length; i++) {
    const c = block.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2_654_435_761);
    h2 = Math.imul(h2 ^ c, 1_597_334_677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2_246_822_507) ^ Math.imul(h2 ^ (h2 >>> 13), 3_266_489_909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2_246_822_507) ^ Math.imul(h1 ^ (h1 >>> 13), 3_266_489_909);
  return 4_294_967_296 * (2_097_151 & h2) + (h1 >>> 0);
}
