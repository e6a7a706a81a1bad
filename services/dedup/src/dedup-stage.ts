import { Disposition, type LeadRow, type Match } from '@leadflow/proto';
import { isOpen, leadIdFor, reason, type BatchStage } from '@leadflow/pipeline';
import type { Claim, FingerprintStore } from '@leadflow/stores';
import type { StoredLeads } from './stored-leads.js';

export interface DedupStageOptions {
  fingerprints: FingerprintStore;
  leads: StoredLeads;
}

type KeyKind = 'email' | 'phone';

/** The email a row is matched on: its canonical key (mapping's emailKey), or the email for rows made without one. */
const emailKeyOf = (row: LeadRow) => row.lead?.emailKey || row.lead?.email || '';

const contactKeys = (row: LeadRow): string[] => {
  const keys: string[] = [];
  if (emailKeyOf(row)) keys.push(`email:${emailKeyOf(row)}`);
  if (row.lead?.phone) keys.push(`phone:${row.lead.phone}`);
  return keys;
};

const REASON_FOR: Record<KeyKind, 'DUP_EXACT_EMAIL' | 'DUP_EXACT_PHONE'> = { email: 'DUP_EXACT_EMAIL', phone: 'DUP_EXACT_PHONE' };

/**
 * Exact duplicates on the normalized email and E.164 phone, inside the job and against every
 * stored lead of the tenant. Stored leads are looked up in PostgreSQL (the truth); rows in
 * flight are settled by atomic claims in the fingerprint store, so that of two rows racing
 * in two replicas only one is accepted. The first occurrence stays ACCEPTED.
 */
export function createDedupStage(opts: DedupStageOptions): BatchStage {
  return async (batch) => {
    const jobId = batch.job?.jobId ?? '';
    const tenantId = batch.job?.tenantId ?? '';
    const open = batch.rows.filter((r) => isOpen(r) && (emailKeyOf(r) || r.lead?.phone));
    if (open.length === 0) return batch;

    const stored = await opts.leads.findByContact(
      tenantId,
      open.map(emailKeyOf).filter(Boolean),
      open.map((r) => r.lead!.phone).filter(Boolean),
    );
    const toClaim: { row: LeadRow; claim: Claim }[] = [];
    for (const row of open) {
      const earlier = stored.find(
        (s) =>
          (s.jobId !== jobId || s.rowNumber < row.rowNumber) &&
          ((emailKeyOf(row) && s.emailKey === emailKeyOf(row)) || (row.lead!.phone && s.phone === row.lead!.phone)),
      );
      if (earlier) {
        const kind: KeyKind = emailKeyOf(row) && earlier.emailKey === emailKeyOf(row) ? 'email' : 'phone';
        markDuplicate(row, kind, earlier.jobId, earlier.rowNumber, jobId, earlier.leadId);
      } else {
        toClaim.push({ row, claim: { owner: `${jobId}:${row.rowNumber}`, keys: contactKeys(row) } });
      }
    }
    const conflicts = await opts.fingerprints.claim(tenantId, toClaim.map((c) => c.claim));
    conflicts.forEach((conflict, i) => {
      if (!conflict) return;
      const sep = conflict.owner.lastIndexOf(':');
      const ownerJob = conflict.owner.slice(0, sep);
      const ownerRow = Number(conflict.owner.slice(sep + 1));
      const kind = conflict.key.slice(0, conflict.key.indexOf(':')) as KeyKind;
      markDuplicate(toClaim[i]!.row, kind, ownerJob, ownerRow, jobId, leadIdFor(ownerJob, ownerRow));
    });
    return batch;
  };
}

function markDuplicate(row: LeadRow, kind: KeyKind, matchedJob: string, matchedRow: number, jobId: string, leadId: string) {
  const sameJob = matchedJob === jobId;
  const match: Match = {
    matchedJobId: matchedJob,
    matchedRow: sameJob ? matchedRow : 0,
    matchedLeadId: sameJob ? '' : leadId,
    matchType: `exact_${kind}`,
    score: 1,
  };
  row.disposition = Disposition.DISPOSITION_DUPLICATE;
  row.match = match;
  row.reasons.push(reason(REASON_FOR[kind], kind, sameJob ? `same as row ${matchedRow}` : `same as lead ${leadId}`));
}
