import type { Reason } from '@leadflow/proto';

export type Severity = 'error' | 'warning' | 'info';

export interface ReasonInfo {
  /** Which stage gives this reason. */
  stage: 'ingest' | 'mapping' | 'dedup' | 'dnc' | 'enrichment';
  /** An error decides the row's disposition; a warning is kept on the row for the record. */
  severity: Severity;
  /** What it means, written for the supplier who has to fix the row. */
  description: string;
}

/** One catalogue of row-level reasons for every stage (docs/style.md: row problems are reasons, not errors). */
export const REASONS = {
  NO_CONTACT: {
    stage: 'mapping',
    severity: 'error',
    description: 'no usable contact: give a valid email, a valid phone number, or a street with a city or postal code',
  },
  INVALID_EMAIL: { stage: 'mapping', severity: 'warning', description: 'the email address is not valid' },
  INVALID_PHONE: { stage: 'mapping', severity: 'warning', description: 'the phone number is not a valid number' },
  RAGGED_ROW: {
    stage: 'ingest',
    severity: 'warning',
    description: 'the row has a different number of cells than the header',
  },
  NOT_JSON: { stage: 'ingest', severity: 'error', description: 'the record of a JSON stream is not valid JSON: correct that line or element' },
  NOT_AN_OBJECT: {
    stage: 'ingest',
    severity: 'error',
    description: 'the record of a JSON stream is not an object: send each lead as {"column": "value", ...}',
  },
  RECORD_TOO_LONG: { stage: 'ingest', severity: 'error', description: 'the record of a JSON stream is longer than the limit (INGEST_MAX_RECORD_CHARS)' },
  TOO_MANY_KEYS: {
    stage: 'ingest',
    severity: 'error',
    description: "the record's new keys would give the stream more columns than the limit (INGEST_MAX_COLUMNS)",
  },
  DUP_EXACT_EMAIL: { stage: 'dedup', severity: 'error', description: 'the email address was seen before' },
  DUP_EXACT_PHONE: { stage: 'dedup', severity: 'error', description: 'the phone number was seen before' },
  DUP_EXACT_KEY: { stage: 'dedup', severity: 'error', description: 'the same values of a duplicate key (for example name and postal code) were seen before' },
  DUP_FUZZY: {
    stage: 'dedup',
    severity: 'error',
    description: 'the same person as an earlier row or lead, by name, address and contacts, allowing for typos',
  },
  POSSIBLE_DUPLICATE: {
    stage: 'dedup',
    severity: 'warning',
    description: 'may be the same person as an earlier row or lead; kept, flagged for review',
  },
  DUP_REVIEWED: {
    stage: 'dedup',
    severity: 'error',
    description: 'a possible duplicate that a person reviewed and confirmed as the same person as another lead',
  },
  DNC_NATIONAL: { stage: 'dnc', severity: 'error', description: 'the phone number is on the national Do-Not-Call list' },
  DNC_INTERNAL: { stage: 'dnc', severity: 'error', description: "the phone number is on the tenant's own do-not-call list" },
  DNC_STATE: { stage: 'dnc', severity: 'error', description: "the phone number is on a state's Do-Not-Call list" },
  DNC_LITIGATOR: { stage: 'dnc', severity: 'error', description: 'the phone number is on a list of known TCPA litigators' },
  SUPPRESSED_EMAIL: { stage: 'dnc', severity: 'error', description: "the email address is on the tenant's suppression list of emails" },
  SUPPRESSED_DOMAIN: { stage: 'dnc', severity: 'error', description: "the email address's domain is on the tenant's suppression list of domains" },
  SUPPRESSED_PHONE: { stage: 'dnc', severity: 'error', description: "the phone number is on the tenant's suppression list of phones" },
  DNC_EXEMPT: {
    stage: 'dnc',
    severity: 'info',
    description: 'the phone number is on a national or state Do-Not-Call list, but an existing business relationship or a consent exempts it',
  },
  DNC_WIRELESS_STATE: {
    stage: 'dnc',
    severity: 'error',
    description: 'the phone number is on a wireless list and the lead is in a state that forbids unsolicited calls to mobiles without consent',
  },
  DNC_LIST_STALE: {
    stage: 'dnc',
    severity: 'error',
    description: "a national or state Do-Not-Call list is older than the limit and the tenant's policy suppresses rather than holds",
  },
  LOW_QUALITY: {
    stage: 'enrichment',
    severity: 'warning',
    description: "the lead's quality score is under the tenant's threshold; a warning, or an error that rejects the row when the tenant's setting says so",
  },
} as const satisfies Record<string, ReasonInfo>;

export type ReasonCode = keyof typeof REASONS;

export function reason(code: ReasonCode, field = '', detail = ''): Reason {
  return { code, field, detail };
}

export function reasonInfo(code: string): ReasonInfo | undefined {
  return (REASONS as Record<string, ReasonInfo>)[code];
}

type ReasonLike = { code: string; field?: string; detail?: string };

/** A row's reason codes as one CSV cell: `INVALID_PHONE;DUP_FUZZY`. */
export const reasonCodes = (reasons: readonly ReasonLike[]) => reasons.map((r) => r.code).join(';');

/** A row's reasons as one sentence a person can act on: field, what the code means, the detail. */
export const reasonDetails = (reasons: readonly ReasonLike[]) =>
  reasons.map((r) => [r.field, reasonInfo(r.code)?.description ?? r.code, r.detail].filter(Boolean).join(': ')).join('; ');
