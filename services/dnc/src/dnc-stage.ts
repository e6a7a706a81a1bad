import { Disposition, type LeadRow } from '@leadflow/proto';
import { isOpen, reason, type BatchStage, type ReasonCode } from '@leadflow/pipeline';
import { DNC_LISTS, type DncList, type DncRegistry } from '@leadflow/stores';
import type { DncAudit, DncCheck } from './dnc-audit.js';

export interface DncStageOptions {
  registry: DncRegistry;
  audit: DncAudit;
}

const REASON_OF: Record<DncList, ReasonCode> = { national: 'DNC_NATIONAL', internal: 'DNC_INTERNAL' };

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
 * Open rows with a phone number on a Do-Not-Call list become SUPPRESSED: on the national list
 * (DNC_NATIONAL) or on the internal list of the batch's tenant (DNC_INTERNAL), their own number or
 * any alternate, each listing named in a reason (an alternate by its number and column). Every
 * number is audited against each list.
 */
export function createDncStage(opts: DncStageOptions): BatchStage {
  return async (batch) => {
    const numbers = batch.rows.filter((r) => isOpen(r) && r.lead).flatMap(numbersOf);
    if (numbers.length === 0) return batch;
    const tenantId = batch.job?.tenantId ?? '';
    const lists = await opts.registry.listsOf(numbers.map((n) => n.phone), tenantId);
    const checks: DncCheck[] = numbers.flatMap((n, i) =>
      DNC_LISTS.map((list) => ({
        jobId: batch.job?.jobId ?? '',
        rowNumber: n.row.rowNumber,
        tenantId,
        phone: n.phone,
        list,
        listed: lists[i]!.includes(list),
      })),
    );
    await opts.audit.record(checks);
    numbers.forEach((n, i) => {
      for (const list of lists[i]!) {
        n.row.disposition = Disposition.DISPOSITION_SUPPRESSED;
        n.row.reasons.push(
          n.alternateOf === undefined
            ? reason(REASON_OF[list], 'phone')
            : reason(REASON_OF[list], 'alternate_phones', `${n.phone}${n.alternateOf ? ` (column "${n.alternateOf}")` : ''}`),
        );
      }
    });
    return batch;
  };
}
