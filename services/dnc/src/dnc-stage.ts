import { Disposition, type LeadRow } from '@leadflow/proto';
import { isOpen, reason, type BatchStage } from '@leadflow/pipeline';
import type { DncRegistry } from '@leadflow/stores';
import type { DncAudit, DncCheck } from './dnc-audit.js';

export interface DncStageOptions {
  registry: DncRegistry;
  audit: DncAudit;
}

const NATIONAL = 'national';

/** One number of a row to screen: its own phone, or an alternate from one of its further phone columns. */
interface Screened {
  row: LeadRow;
  phone: string;
  /** The source column of an alternate; undefined for the row's own phone. */
  alternateOf?: string;
}

const numbersOf = (row: LeadRow): Screened[] => [
  ...(row.lead!.phone ? [{ row, phone: row.lead!.phone }] : []),
  ...row.lead!.alternatePhones.map((a) => ({ row, phone: a.value, alternateOf: a.header })),
];

/**
 * Open rows with a phone number on the Do-Not-Call registry become SUPPRESSED: their own number
 * or any alternate, each listed one named in a reason (an alternate by its number and column).
 * Every number checked is audited.
 */
export function createDncStage(opts: DncStageOptions): BatchStage {
  return async (batch) => {
    const numbers = batch.rows.filter((r) => isOpen(r) && r.lead).flatMap(numbersOf);
    if (numbers.length === 0) return batch;
    const listed = await opts.registry.contains(numbers.map((n) => n.phone));
    const checks: DncCheck[] = numbers.map((n, i) => ({
      jobId: batch.job?.jobId ?? '',
      rowNumber: n.row.rowNumber,
      tenantId: batch.job?.tenantId ?? '',
      phone: n.phone,
      list: NATIONAL,
      listed: listed[i] === true,
    }));
    await opts.audit.record(checks);
    numbers.forEach((n, i) => {
      if (!listed[i]) return;
      n.row.disposition = Disposition.DISPOSITION_SUPPRESSED;
      n.row.reasons.push(
        n.alternateOf === undefined
          ? reason('DNC_NATIONAL', 'phone')
          : reason('DNC_NATIONAL', 'alternate_phones', `${n.phone}${n.alternateOf ? ` (column "${n.alternateOf}")` : ''}`),
      );
    });
    return batch;
  };
}
