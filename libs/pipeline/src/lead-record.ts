import type { Lead } from '@leadflow/proto';
import { emailKey } from './email-key.js';

/** Canonical field names (snake_case, as in tables, CSV files and JSON) and their Lead keys. */
export const LEAD_COLUMNS = [
  ['first_name', 'firstName'], ['last_name', 'lastName'], ['full_name', 'fullName'], ['email', 'email'],
  ['email_type', 'emailType'], ['email_suggestion', 'emailSuggestion'], ['phone', 'phone'], ['phone_extension', 'phoneExtension'],
  ['phone_type', 'phoneType'], ['company', 'company'], ['domain', 'domain'], ['job_title', 'jobTitle'], ['seniority', 'seniority'],
  ['department', 'department'], ['street', 'street'], ['address_line2', 'addressLine2'], ['city', 'city'], ['state', 'state'],
  ['postal_code', 'postalCode'], ['country', 'country'], ['timezone', 'timezone'], ['callable_now', 'callableNow'],
  ['industry', 'industry'], ['industry_confidence', 'industryConfidence'], ['exclusivity', 'exclusivity'],
  ['exclusivity_detail', 'exclusivityDetail'], ['quality', 'quality'], ['source', 'source'],
] as const satisfies readonly (readonly [string, keyof Lead])[];

export type LeadColumn = (typeof LEAD_COLUMNS)[number][0];

/** A lead's other emails and phones, as stored (leads.alternates) and sent (webhooks). */
export interface Alternates {
  emails: string[];
  phones: string[];
}

/** The lead's alternates; empty lists for a lead without. */
export const alternatesOf = (lead: Lead | undefined): Alternates => ({
  emails: lead?.alternateEmails.map((a) => a.value) ?? [],
  phones: lead?.alternatePhones.map((a) => a.value) ?? [],
});

/** The lookup keys of a lead's alternates (lead_alternate_keys), as dedup claims them: `email:<email key>`, `phone:<E.164>`. */
export const alternateKeys = (alternates: { readonly emails: readonly string[]; readonly phones: readonly string[] }): string[] => [
  ...alternates.emails.map((e) => `email:${emailKey(e)}`),
  ...alternates.phones.map((p) => `phone:${p}`),
];

/** Output columns (leads.csv and the exports) of a lead's alternates, after its canonical fields. */
export const ALTERNATE_COLUMNS = ['alternate_emails', 'alternate_phones'] as const;

/** A lead's alternates as the cells of ALTERNATE_COLUMNS: each list `;`-separated. */
export const alternateCells = (alternates: Partial<Alternates> | null | undefined): [string, string] => [
  (alternates?.emails ?? []).join(';'),
  (alternates?.phones ?? []).join(';'),
];

export type LeadRecord = Partial<Record<LeadColumn, string>> & { extra?: Record<string, string>; alternates?: Alternates };

/** The lead's non-empty fields by canonical name, `extra` when it has any, and `alternates` when it has any. */
export function leadRecord(lead: Lead | undefined): LeadRecord {
  const out: LeadRecord = {};
  for (const [column, key] of LEAD_COLUMNS) if (lead?.[key]) out[column] = lead[key];
  if (lead && Object.keys(lead.extra).length > 0) out.extra = lead.extra;
  if (lead && lead.alternateEmails.length + lead.alternatePhones.length > 0) out.alternates = alternatesOf(lead);
  return out;
}

/** A lead with every field empty, to fill. */
export const emptyLead = (): Lead => ({
  firstName: '', lastName: '', fullName: '', email: '', phone: '', phoneType: '', company: '', domain: '', jobTitle: '', street: '',
  addressLine2: '', city: '', state: '', postalCode: '', country: '', industry: '', source: '', extra: {}, emailType: '', emailKey: '',
  phoneExtension: '', original: {}, alternateEmails: [], alternatePhones: [], emailSuggestion: '', timezone: '', callableNow: '',
  industryConfidence: '', seniority: '', department: '', enrichmentEvidence: [], consentDate: '', consentCertificateUrl: '',
  exclusivity: '', exclusivityDetail: '', quality: '',
});

/** Lowercase, accents removed, punctuation to spaces, spaces collapsed: "São  Paulo!" → "sao paulo". */
export function foldText(value: string): string {
  if (!value) return '';
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
