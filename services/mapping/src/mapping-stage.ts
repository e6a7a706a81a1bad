import { Disposition, RowBatch, type ColumnMapping, type Lead, type LeadBatch, type LeadRow, type Reason } from '@leadflow/proto';
import {
  alternateCells, alternatesOf, emptyLead, fanout, fileRowOf, FREE_EMAIL_DOMAINS, LEAD_COLUMNS, leadIdFor, reason, type Fanout, type Stage,
} from '@leadflow/pipeline';
import { consentDay } from './consent.js';
import type { AliasTable } from './alias-table.js';
import type { CanonicalField } from './field-names.js';
import { mapColumns, personEvidence, type ColumnDecision, type MappedField } from './map-columns.js';
import { createMemoryMappingStore, type JobMapping, type MappedCounts, type MappingStore, type PreviewRow } from './mapping-store.js';
import { splitAddress } from './address.js';
import { growMapping } from './header-growth.js';
import { isCompanyName, readFullName, splitHonorifics, titleCaseName } from './names.js';
import { clean, inferCountry, isPhoneRegion, normalizeCountry, normalizeDomain, normalizePostalCode, normalizeState } from './normalize.js';
import { pickEmails, pickPhones, type ContactCell, type PickedContacts } from './contacts.js';


export interface MappingStageOptions {
  /** Region for phone numbers written without a country code. @default 'US' */
  defaultRegion?: string;
  /** Keeps each job's mapping, the suppliers' confirmed ones and the rows of jobs in review. @default in memory */
  store?: MappingStore;
  /** The header names a tenant's jobs are matched against (createTenantAliases). @default the built-in ones for every tenant */
  aliases?: (tenantId: string) => Promise<AliasTable>;
}

/** Each canonical field's key on the Lead message (one table for every stage: LEAD_COLUMNS). */
const LEAD_KEY = {
  ...Object.fromEntries(LEAD_COLUMNS),
  // Screened by the dnc stage, not stored as lead columns (docs/dnc-lists.md, "Exemptions").
  consent_date: 'consentDate',
  consent_certificate_url: 'consentCertificateUrl',
} as Record<CanonicalField, (typeof LEAD_COLUMNS)[number][1] | 'consentDate' | 'consentCertificateUrl'>;

/**
 * Fields whose cleaning can change what the supplier wrote; their raw value is kept when it does
 * (email and phone too, by normalizeContact: their value is picked from several columns).
 */
const KEPT_ORIGINAL = (
  ['first_name', 'last_name', 'full_name', 'domain', 'state', 'postal_code', 'country'] as const
).map((field) => [field, LEAD_KEY[field]] as const);

const MAX_CACHED_JOBS = 1000;
/** Rows shown to the person who reviews a mapping. */
const PREVIEW_ROWS = 10;

export type MappingStageResult = LeadBatch | Fanout<LeadBatch>;

/**
 * Raw rows to canonical leads: each column to its field (decided once per job, on its first
 * batch, from headers and values), each value cleaned and normalized, and each row marked
 * INVALID when it has no usable contact (docs/architecture.md section 8).
 *
 * A job uploaded with `review` stops here: each file's mapping is saved as awaiting review with
 * a preview of its first rows, and the job's batches are held in the store (none go out). A
 * batch carrying a person's decision on one file's mapping arrives on the job's key: that file's
 * mapping is recorded as decided and remembered for the supplier. Once every file is decided and
 * the job's last batch is held, every held batch goes out at once, in order, each mapped as its
 * file was decided (docs/several-files.md, "Review").
 */
export function createMappingStage(opts: MappingStageOptions = {}): Stage<RowBatch, MappingStageResult> {
  const defaultRegion = opts.defaultRegion ?? 'US';
  /** The job's own region (its supplier's, carried on every batch) before the service's default. */
  const regionOf = (batch: RowBatch) => {
    const own = batch.job?.phoneRegion;
    return own && isPhoneRegion(own) ? own : defaultRegion;
  };
  const store = opts.store ?? createMemoryMappingStore();
  /** Final mappings (automatic or confirmed) of recent jobs; a mapping in review is always read afresh. */
  const cache = new Map<string, ColumnDecision[]>();
  /** One batch of a job at a time, so a decision and the job's rows never interleave in this process. */
  const turns = new Map<string, Promise<unknown>>();

  function remember(jobId: string, columns: ColumnDecision[]) {
    if (cache.size >= MAX_CACHED_JOBS) cache.delete(cache.keys().next().value!);
    cache.set(jobId, columns);
  }

  /** The cache's key of the mapping a batch is read with: its job's, or its file's (docs/several-files.md). */
  const mappingKey = (job: NonNullable<RowBatch['job']>) => (job.fileIndex ? `${job.jobId}#${job.fileIndex}` : job.jobId);

  async function mappingFor(batch: RowBatch): Promise<JobMapping> {
    const job = batch.job!;
    const cached = cache.get(mappingKey(job));
    if (cached) return { columns: cached, status: 'automatic', preview: [] };
    // A job's first batch finds none (saved below); a single lead, a job of one batch, is spared the read.
    let mapping = batch.seq === 0 ? undefined : await store.jobMapping(job.jobId, job.fileIndex);
    if (!mapping) {
      const confirmed = await store.confirmed(job.tenantId, job.supplier);
      const aliases = await opts.aliases?.(job.tenantId);
      const columns = batch.header.map((_, i) => batch.rows.map((r) => r.cells[i] ?? ''));
      const region = regionOf(batch);
      const decided = mapColumns(batch.header, columns, { region, confirmed, aliases });
      // A file with no rows to show (empty or unreadable) has nothing to review.
      const review = job.review && batch.rows.length > 0;
      mapping = await store.saveJobMapping(job, {
        columns: decided,
        status: review ? 'awaiting_review' : 'automatic',
        preview: review ? previewOf(batch, decided, region) : [],
      });
      // A further file to review holds a job whose first file had nothing to review.
      if (review && job.fileIndex) await store.holdJob(job.jobId);
    }
    if (mapping.status !== 'awaiting_review') remember(mappingKey(job), mapping.columns);
    return mapping;
  }

  /** The job's mapping, grown first when the batch's header is longer (a stream's new keys: header-growth.ts). */
  async function grown(batch: RowBatch, mapping: JobMapping): Promise<JobMapping> {
    if (batch.header.length <= mapping.columns.length) return mapping;
    const job = batch.job!;
    const confirmed = await store.confirmed(job.tenantId, job.supplier);
    const decided = growMapping(mapping.columns, batch, { region: regionOf(batch), confirmed, aliases: await opts.aliases?.(job.tenantId) });
    const columns = await store.growJobMapping(job.jobId, decided, job.fileIndex);
    if (mapping.status !== 'awaiting_review') remember(mappingKey(job), columns);
    return { ...mapping, columns };
  }

  /** Whether a batch of a job goes on hold: its job is in review (the first file's mapping says so for every file). */
  async function isHeld(job: NonNullable<RowBatch['job']>, mapping: JobMapping): Promise<boolean> {
    if (!job.fileIndex) return mapping.status === 'awaiting_review';
    if (!job.review) return false;
    return (await store.jobMapping(job.jobId))?.status === 'awaiting_review';
  }

  /** A person's decision on one file's mapping (the first file's in a job of one), then the release if it was the last awaited. */
  async function decide(batch: RowBatch): Promise<MappingStageResult> {
    const job = batch.job!;
    const decision = batch.decision!;
    const fileIndex = decision.fileIndex ?? 0;
    const first = await store.jobMapping(job.jobId);
    if (!first) return fanout([]);
    if (first.status === 'awaiting_review') {
      const file = (await store.fileMappings(job.jobId)).find((f) => f.fileIndex === fileIndex);
      // A decision redelivered (or on a file decided already) changes nothing.
      if (file?.status === 'awaiting_review') {
        const columns = applyDecision(file.columns, decision.columns);
        if (job.supplier) await store.confirm(job.tenantId, job.supplier, columns.map((c) => ({ header: c.header, field: c.field })), { by: 'review', jobId: job.jobId });
        await store.confirmFileMapping(job.jobId, fileIndex, columns);
      }
    }
    return release(job.jobId);
  }

  /**
   * The job's held batches, once it may go on: every file decided and its last batch held (a
   * file not yet mapped could still come to be reviewed). They go out in seq order, each mapped
   * by its file's mapping. Held batches go out even when the job was released already: a
   * redelivered decision or last batch (the service stopped before its outputs were
   * acknowledged) releases what is still held.
   */
  async function release(jobId: string): Promise<MappingStageResult> {
    const first = await store.jobMapping(jobId);
    if (!first) return fanout([]);
    const files = await store.fileMappings(jobId);
    if (first.status === 'awaiting_review' && files.some((f) => f.status === 'awaiting_review')) return fanout([]);
    const held = await store.parked(jobId);
    const parked = held.map((h) => RowBatch.decode(h.batch));
    if (first.status === 'awaiting_review') {
      if (!parked.some((b) => b.last)) return fanout([]);
      await store.releaseJob(jobId);
    }
    const columnsOf = new Map(files.map((f) => [f.fileIndex, f.columns]));
    for (const f of files) remember(f.fileIndex ? `${jobId}#${f.fileIndex}` : jobId, f.columns);
    const released = parked.map((b) => mapBatch(b, columnsOf.get(b.job?.fileIndex ?? 0) ?? first.columns, regionOf(b)));
    await count(jobId, released);
    return fanout(released, () => store.unpark(jobId, held.map((h) => h.seq)));
  }

  /** Counts batches mapped, before they go on, for the job's status (rows mapped, invalid, and the total). */
  async function count(jobId: string, mapped: readonly LeadBatch[]): Promise<void> {
    if (mapped.length === 0) return;
    await store.countMapped(jobId, countsOf(mapped));
  }

  /**
   * A job of one batch (a single lead, in `serve` a job of its own) seen first: mapped, then its
   * mapping saved with its counts in one statement. Undefined when the job had a mapping already.
   */
  async function mapWhole(batch: RowBatch): Promise<LeadBatch | undefined> {
    const job = batch.job!;
    const region = regionOf(batch);
    const confirmed = await store.confirmed(job.tenantId, job.supplier);
    const aliases = await opts.aliases?.(job.tenantId);
    const columns = batch.header.map((_, i) => batch.rows.map((r) => r.cells[i] ?? ''));
    const decided = mapColumns(batch.header, columns, { region, confirmed, aliases });
    const mapped = mapBatch(batch, decided, region);
    if (!(await store.saveCountedJobMapping(job, { columns: decided, status: 'automatic', preview: [] }, countsOf([mapped])))) return undefined;
    remember(mappingKey(job), decided);
    return mapped;
  }

  async function handle(batch: RowBatch): Promise<MappingStageResult> {
    if (batch.decision) return decide(batch);
    const whole = batch.job!;
    if (batch.seq === 0 && batch.last && !whole.review && !whole.fileIndex && !cache.has(mappingKey(whole))) {
      // Else (the batch redelivered) as any batch, with the mapping saved.
      const mapped = await mapWhole(batch);
      if (mapped) return mapped;
    }
    const mapping = await grown(batch, await mappingFor(batch));
    const job = batch.job!;
    const jobId = job.jobId;
    // A job released while this batch was held (a redelivery after a release not yet acknowledged)
    // goes on as held batches do, so that none goes out twice or is left behind.
    const heldStill = async () => job.review && (await store.parked(jobId)).length > 0;
    if ((await isHeld(job, mapping)) || (await heldStill())) {
      await store.park(jobId, batch.seq, RowBatch.encode(batch).finish());
      if (!batch.last) return fanout([]);
      await store.setTotal(jobId, batch.totalRows);
      // Every file may have been decided before the job's last batch came.
      return release(jobId);
    }
    const mapped = mapBatch(batch, mapping.columns, regionOf(batch));
    await count(jobId, [mapped]);
    return mapped;
  }

  return async (batch) => {
    const jobId = batch.job?.jobId ?? '';
    const previous = turns.get(jobId) ?? Promise.resolve();
    const turn = previous.catch(() => undefined).then(() => handle(batch));
    turns.set(jobId, turn);
    try {
      return await turn;
    } finally {
      if (turns.get(jobId) === turn) turns.delete(jobId);
    }
  };
}

/** The proposed mapping with a person's choices applied: confirmed columns are certain. */
function applyDecision(proposed: ColumnDecision[], decided: readonly ColumnMapping[]): ColumnDecision[] {
  const chosen = new Map(decided.map((d) => [d.header, d.field as MappedField]));
  return proposed.map((c) => {
    const field = chosen.get(c.header) ?? c.field;
    return { header: c.header, field, confidence: 1, evidence: [personEvidence(c.field, field)], ...(field === 'extra' && c.values ? { values: c.values } : {}) };
  });
}

/** The first rows as `mapping` reads them (only those are mapped here; the batch is mapped when released). */
function previewOf(batch: RowBatch, mapping: readonly ColumnDecision[], region: string): PreviewRow[] {
  const mapped = mapBatch({ ...batch, rows: batch.rows.slice(0, PREVIEW_ROWS) }, mapping, region);
  return mapped.rows.map((row, i) => {
    // Ingest names the columns of a header apart (distinctHeaders): each name is one cell.
    const cells: Record<string, string> = {};
    batch.header.forEach((h, c) => (cells[h] = batch.rows[i]!.cells[c] ?? ''));
    const fields: Record<string, string> = {};
    for (const [field, key] of LEAD_COLUMNS) {
      const value = row.lead![key];
      if (typeof value === 'string' && value) fields[field] = value;
    }
    const [emails, phones] = alternateCells(alternatesOf(row.lead));
    if (emails) fields.alternate_emails = emails;
    if (phones) fields.alternate_phones = phones;
    for (const [k, v] of Object.entries(row.lead!.extra)) fields[`extra.${k}`] = v;
    // Numbered within its file, as the person sees the file.
    return { rowNumber: fileRowOf(row.rowNumber).row, cells, fields };
  });
}

/** One batch of raw rows mapped, cleaned and checked by the job's mapping. */
function mapBatch(batch: RowBatch, mapping: readonly ColumnDecision[], region: string): LeadBatch {
  const jobId = batch.job?.jobId ?? '';
  // A reason about an invalid email or phone names its column when the row has several.
  const severalColumns = (field: 'email' | 'phone') => mapping.filter((m) => m.field === field).length > 1;
  const rows = batch.rows.map((raw): LeadRow => {
    // A record ingest could not read into cells (not JSON, not an object) is refused as it said.
    if (raw.refused) return refusedRow(raw, raw.refused, jobId);
    const reasons: Reason[] = [];
    const lead = emptyLead();
    const contacts: Contacts = { email: [], phone: [] };
    mapping.forEach((m, i) => {
      const value = clean(raw.cells[i]);
      if (!value) return;
      if (m.field === 'extra') lead.extra[m.header] = m.values === 'boolean' ? (yesNo(value) ?? value) : value;
      else if (m.field === 'email' || m.field === 'phone') contacts[m.field].push({ value, header: m.header });
      else {
        const key = LEAD_KEY[m.field];
        // A field fed by two columns (street name and house number) joins them in column order.
        lead[key] = lead[key] ? `${lead[key]} ${value}` : value;
      }
    });
    if (raw.cells.length !== batch.header.length) {
      reasons.push(reason('RAGGED_ROW', '', `${raw.cells.length} cells, header has ${batch.header.length}`));
    }
    if (lead.consentDate) {
      // A consent date the dnc stage can judge, or none (the supplier's words kept in `original`).
      const day = consentDay(lead.consentDate);
      if (day !== lead.consentDate) lead.original.consent_date = lead.consentDate;
      lead.consentDate = day ?? '';
    }
    const before = KEPT_ORIGINAL.map(([, key]) => lead[key]);
    normalizeContact(lead, contacts, reasons, region, severalColumns);
    KEPT_ORIGINAL.forEach(([field, key], i) => {
      if (before[i] && before[i] !== lead[key]) lead.original[field] = before[i]!;
    });
    const hasAddress = lead.street !== '' && (lead.city !== '' || lead.postalCode !== '');
    const usable = lead.email !== '' || lead.phone !== '' || hasAddress;
    if (!usable) reasons.push(reason('NO_CONTACT'));
    return {
      rowNumber: raw.rowNumber,
      lead,
      disposition: usable ? Disposition.DISPOSITION_ACCEPTED : Disposition.DISPOSITION_INVALID,
      reasons,
      tags: [],
      qualityScore: 0,
      match: undefined,
      raw: raw.cells,
      leadId: leadIdFor(jobId, raw.rowNumber),
    };
  });
  return {
    job: batch.job,
    seq: batch.seq,
    header: batch.header,
    mapping: mapping.map((m) => ({ header: m.header, field: m.field, confidence: m.confidence, evidence: m.evidence.map((e) => e.detail) })),
    rows,
    last: batch.last,
    totalRows: batch.totalRows,
    failure: batch.failure,
  };
}

function refusedRow(raw: RowBatch['rows'][number], why: Reason, jobId: string): LeadRow {
  return {
    rowNumber: raw.rowNumber,
    lead: emptyLead(),
    disposition: Disposition.DISPOSITION_INVALID,
    reasons: [why],
    tags: [],
    qualityScore: 0,
    match: undefined,
    raw: raw.cells,
    leadId: leadIdFor(jobId, raw.rowNumber),
  };
}

const YES = new Set(['yes', 'y', 'true', 't', '1', 'x', 'ja', 'j', 'oui', 'si', 'sí', 'sim']);
const NO = new Set(['no', 'n', 'false', 'f', '0', 'nein', 'non', 'não', 'nao']);

/** "Yes", "Y", "ja", "oui" → "true"; "No", "N", "nein" → "false"; anything else undefined (kept as given). */
function yesNo(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  return YES.has(v) ? 'true' : NO.has(v) ? 'false' : undefined;
}

/** A row's cells of its email and phone columns, in column order. */
type Contacts = Record<'email' | 'phone', ContactCell[]>;

/**
 * The lead's email or phone is the first valid value of the row's columns of that field; the
 * other valid ones are its alternates. Each invalid value is a warning (naming its column when
 * there are several); the supplier's value is kept in `original` when cleaning changed it, or
 * the first one when none was valid.
 */
function pickContact<P extends { value: string }>(
  lead: Lead, field: 'email' | 'phone', cells: readonly ContactCell[], picked: PickedContacts<P>, reasons: Reason[], named: boolean,
): void {
  const code = field === 'email' ? 'INVALID_EMAIL' : 'INVALID_PHONE';
  for (const bad of picked.invalid) reasons.push(reason(code, field, named ? `column "${bad.header}"` : ''));
  const raw = picked.first?.raw ?? cells[0]?.value;
  if (raw !== undefined && raw !== picked.first?.value) lead.original[field] = raw;
  if (field === 'email') lead.alternateEmails = picked.alternates;
  else lead.alternatePhones = picked.alternates;
}

function normalizeContact(lead: Lead, contacts: Contacts, reasons: Reason[], region: string, severalColumns: (field: 'email' | 'phone') => boolean): void {
  normalizeNames(lead);
  const emails = pickEmails(contacts.email);
  pickContact(lead, 'email', contacts.email, emails, reasons, severalColumns('email'));
  lead.email = emails.first?.value ?? '';
  lead.emailKey = emails.first?.key ?? '';
  if (lead.street.includes(',') && !lead.city && !lead.state && !lead.postalCode) {
    const parts = splitAddress(lead.street);
    if (parts) {
      Object.assign(lead, { street: parts.street, city: parts.city, state: parts.state, postalCode: parts.postalCode });
      lead.country ||= parts.country;
    }
  }
  if (lead.state) lead.state = normalizeState(lead.state);
  if (lead.country) lead.country = normalizeCountry(lead.country) ?? lead.country;
  else lead.country = inferCountry(lead.state, lead.postalCode) ?? '';
  if (lead.postalCode) lead.postalCode = normalizePostalCode(lead.postalCode, lead.country);
  const phones = pickPhones(contacts.phone, /^[A-Z]{2}$/.test(lead.country) ? lead.country : region);
  pickContact(lead, 'phone', contacts.phone, phones, reasons, severalColumns('phone'));
  lead.phone = phones.first?.e164 ?? '';
  lead.phoneExtension = phones.first?.extension ?? '';
  lead.phoneType = phones.first?.type ?? '';
  if (lead.domain) lead.domain = normalizeDomain(lead.domain) ?? '';
  else if (lead.email && !FREE_EMAIL_DOMAINS.has(lead.email.slice(lead.email.indexOf('@') + 1))) lead.domain = lead.email.slice(lead.email.indexOf('@') + 1);
}

/**
 * Names in a person's casing; salutations, suffixes and nicknames moved to extra; a full name
 * read the way it is written ("O'Brien, Micheel": surname first) and kept first name first; full
 * and split names fill each other. A company in the full-name column ("Acme, Inc.") is no person:
 * it fills an empty company, and the supplier's value stays in `original`.
 */
function normalizeNames(lead: Lead): void {
  const aside = (salutation: string, suffix: string, nickname = '') => {
    if (salutation) lead.extra.salutation ??= salutation;
    if (suffix) lead.extra.name_suffix ??= suffix;
    if (nickname) lead.extra.nickname ??= nickname;
  };
  for (const key of ['firstName', 'lastName'] as const) {
    if (!lead[key]) continue;
    const { name, salutation, suffix } = splitHonorifics(lead[key]);
    aside(salutation, suffix);
    lead[key] = titleCaseName(name);
  }
  if (lead.fullName) {
    if (isCompanyName(lead.fullName)) {
      lead.company ||= lead.fullName;
      lead.fullName = '';
    } else {
      const name = readFullName(lead.fullName);
      aside(name.salutation, name.suffix, name.nickname);
      lead.fullName = name.full;
      if (!lead.firstName && !lead.lastName) [lead.firstName, lead.lastName] = [name.first, name.last];
    }
  }
  if (!lead.fullName && (lead.firstName || lead.lastName)) lead.fullName = [lead.firstName, lead.lastName].filter(Boolean).join(' ');
}

/** What countMapped is told of batches mapped: rows, invalid ones, and the total once the last is among them. */
function countsOf(mapped: readonly LeadBatch[]): MappedCounts {
  const rows = mapped.reduce((n, b) => n + b.rows.length, 0);
  const invalid = mapped.reduce((n, b) => n + b.rows.filter((r) => r.disposition === Disposition.DISPOSITION_INVALID).length, 0);
  const last = mapped.find((b) => b.last);
  return { upTo: Math.max(...mapped.map((b) => b.seq)), rows, invalid, ...(last ? { totalRows: last.totalRows } : {}) };
}
