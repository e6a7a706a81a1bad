import { emailKey } from '@leadflow/pipeline';

/**
 * The person an erasure request names (docs/erasure.md), in every form the tables hold them:
 * the email lowercase and as dedup matches it, the phone in E.164 and as the digits of its
 * national number (what "(212) 555-0100", "1-212-555-0100" and "+12125550100" all contain).
 */
export interface Subject {
  /** Lowercase; '' when the request gave none. */
  email: string;
  /** The email as dedup matches it (emailKey); '' when none. */
  emailKey: string;
  /** E.164; '' when none. */
  phone: string;
  /** The national number's digits; '' when no phone. */
  digits: string;
}

export function subjectOf(email: string | undefined, phone: string | undefined, digitsOf: (e164: string) => string): Subject {
  const e = (email ?? '').toLowerCase();
  const p = phone ?? '';
  // Fewer than 6 digits would match far more than the person's number.
  const digits = p ? digitsOf(p) : '';
  return { email: e, emailKey: e ? emailKey(e) : '', phone: p, digits: digits.length >= 6 ? digits : '' };
}

/** The parameters every predicate below reads: $2 the email, $3 its key, $4 the E.164 phone, $5 its digits ($1 is the tenant). */
export const subjectParams = (s: Subject) => [s.email, s.emailKey, s.phone, s.digits];

/** SQL: the text `x` holds the person's email (any case) or their number (any spelling). */
export const textMentions = (x: string) =>
  `(($2 <> '' AND strpos(lower(${x}), $2) > 0) OR ($3 <> '' AND strpos(lower(${x}), $3) > 0) ` +
  `OR ($4 <> '' AND strpos(${x}, $4) > 0) OR ($5 <> '' AND strpos(regexp_replace(${x}, '[^0-9]', '', 'g'), $5) > 0))`;

/** SQL: some string anywhere in the JSON value `j` (jsonb) mentions the person. */
export const jsonMentions = (j: string) =>
  `EXISTS (SELECT 1 FROM jsonb_path_query(${j}, 'strict $.**') AS v WHERE jsonb_typeof(v) IN ('string', 'number') AND ${textMentions("(v #>> '{}')")})`;

/** The same test in JS, for values decoded from protobuf (held rows, batches parked for review). */
export function mentions(s: Subject, text: string): boolean {
  const lower = text.toLowerCase();
  if (s.email && lower.includes(s.email)) return true;
  if (s.emailKey && lower.includes(s.emailKey)) return true;
  return s.digits !== '' && text.replace(/[^0-9]/g, '').includes(s.digits);
}

/** Every string in a JSON-like value that mentions the person made '' (a mapping's preview, its samples). */
export function blankMentions(s: Subject, value: unknown): { value: unknown; blanked: number } {
  let blanked = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (!mentions(s, v)) return v;
      blanked++;
      return '';
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { value: walk(value), blanked };
}
