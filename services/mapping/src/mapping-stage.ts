import { Disposition, type Lead, type LeadBatch, type LeadRow, type Reason, type RowBatch } from '@leadflow/proto';
import { leadIdFor, reason, type Stage } from '@leadflow/pipeline';
import { mapHeaders, type CanonicalField, type HeaderMapping } from './map-headers.js';
import { clean, normalizeDomain, normalizeEmail, normalizePhone } from './normalize.js';

export interface MappingStageOptions {
  /** Region for phone numbers written without a country code. @default 'US' */
  defaultRegion?: string;
}

const emptyLead = (): Lead => ({
  firstName: '', lastName: '', fullName: '', email: '', phone: '', phoneType: '', company: '', domain: '',
  jobTitle: '', street: '', addressLine2: '', city: '', state: '', postalCode: '', country: '', industry: '',
  source: '', extra: {}, emailType: '',
});

const LEAD_KEY: Record<CanonicalField, keyof Omit<Lead, 'extra'>> = {
  first_name: 'firstName', last_name: 'lastName', full_name: 'fullName', email: 'email', phone: 'phone',
  company: 'company', domain: 'domain', job_title: 'jobTitle', street: 'street', address_line2: 'addressLine2',
  city: 'city', state: 'state', postal_code: 'postalCode', country: 'country', industry: 'industry', source: 'source',
};

/**
 * Raw rows to canonical leads: each column to its field, each value cleaned and normalized,
 * and each row marked INVALID when it has no usable contact (ARCHITECTURE.md section 8).
 */
export function createMappingStage(opts: MappingStageOptions = {}): Stage<RowBatch, LeadBatch> {
  const region = opts.defaultRegion ?? 'US';
  let cached: { header: readonly string[]; mapping: HeaderMapping[] } | undefined;
  const mappingFor = (header: readonly string[]) => {
    if (!cached || cached.header.length !== header.length || cached.header.some((h, i) => h !== header[i])) {
      cached = { header, mapping: mapHeaders(header) };
    }
    return cached.mapping;
  };

  return async (batch) => {
    const mapping = mappingFor(batch.header);
    const jobId = batch.job?.jobId ?? '';
    const rows = batch.rows.map((raw): LeadRow => {
      const reasons: Reason[] = [];
      const lead = emptyLead();
      mapping.forEach((m, i) => {
        const value = clean(raw.cells[i]);
        if (!value) return;
        if (m.field === 'extra') lead.extra[m.header] = value;
        else lead[LEAD_KEY[m.field]] = value;
      });
      if (raw.cells.length !== batch.header.length) {
        reasons.push(reason('RAGGED_ROW', '', `${raw.cells.length} cells, header has ${batch.header.length}`));
      }
      normalizeContact(lead, reasons, region);
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
      mapping: mapping.map((m) => ({ header: m.header, field: m.field, confidence: m.confidence })),
      rows,
      last: batch.last,
      totalRows: batch.totalRows,
      failure: batch.failure,
    };
  };
}

function normalizeContact(lead: Lead, reasons: Reason[], region: string): void {
  if (lead.email) {
    const email = normalizeEmail(lead.email);
    if (!email) reasons.push(reason('INVALID_EMAIL', 'email'));
    lead.email = email ?? '';
  }
  if (lead.phone) {
    const phone = normalizePhone(lead.phone, region);
    if (!phone) reasons.push(reason('INVALID_PHONE', 'phone'));
    lead.phone = phone ?? '';
  }
  if (lead.domain) lead.domain = normalizeDomain(lead.domain) ?? '';
  if (/^[a-z]{2}$/i.test(lead.state)) lead.state = lead.state.toUpperCase();
  if (/^[a-z]{2}$/i.test(lead.country)) lead.country = lead.country.toUpperCase();
  if (!lead.fullName && (lead.firstName || lead.lastName)) {
    lead.fullName = [lead.firstName, lead.lastName].filter(Boolean).join(' ');
  } else if (lead.fullName && !lead.firstName && !lead.lastName) {
    const space = lead.fullName.lastIndexOf(' ');
    if (space > 0) {
      lead.firstName = lead.fullName.slice(0, space);
      lead.lastName = lead.fullName.slice(space + 1);
    } else {
      lead.firstName = lead.fullName;
    }
  }
}
