import { Disposition, type LeadRow } from '@leadflow/proto';
import { isOpen, LeadflowError, reason, type BatchStage, type ReasonCode } from '@leadflow/pipeline';
import { DncListsNotReady, type DncListKind, type DncRegistry, type DncScreening } from '@leadflow/stores';
import type { DncAudit, DncCheck } from './dnc-audit.js';

export interface DncStageOptions {
  registry: DncRegistry;
  audit: DncAudit;
}

/** The reason a listing gives; the kinds issue 13 adds later (state, litigator, wireless...) bring theirs. */
const REASON_OF: Partial<Record<DncListKind, ReasonCode>> = { national: 'DNC_NATIONAL', internal: 'DNC_INTERNAL' };

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

/** The screening, or a retryable error while a list is being loaded: a batch is never passed as clean against half a list. */
async function screen(registry: DncRegistry, numbers: readonly string[], tenantId: string): Promise<DncScreening> {
  try {
    return await registry.screen(numbers, tenantId);
  } catch (err) {
    if (err instanceof DncListsNotReady) throw new LeadflowError(err.code, err.message, true, { cause: err });
    throw err;
  }
}

/**
 * Open rows with a phone number on a Do-Not-Call list become SUPPRESSED: on the national list
 * (DNC_NATIONAL) or on the internal list of the batch's tenant (DNC_INTERNAL), their own number or
 * any alternate, each listing named in a reason (an alternate by its number and column). Every
 * number is audited against each list, with the list's version and snapshot date.
 */
export function createDncStage(opts: DncStageOptions): BatchStage {
  return async (batch) => {
    const numbers = batch.rows.filter((r) => isOpen(r) && r.lead).flatMap(numbersOf);
    if (numbers.length === 0) return batch;
    const tenantId = batch.job?.tenantId ?? '';
    const { lists, on } = await screen(opts.registry, numbers.map((n) => n.phone), tenantId);
    const checks: DncCheck[] = numbers.flatMap((n, i) =>
      lists.map((list, j) => ({
        jobId: batch.job?.jobId ?? '',
        rowNumber: n.row.rowNumber,
        tenantId,
        phone: n.phone,
        list,
        listed: on[i]!.includes(j),
      })),
    );
    await opts.audit.record(checks);
    numbers.forEach((n, i) => {
      for (const j of on[i]!) {
        const code = REASON_OF[lists[j]!.kind];
        if (!code) throw new LeadflowError('DNC_LIST_KIND_UNKNOWN', `a ${lists[j]!.kind} list has no reason code yet`, false);
        n.row.disposition = Disposition.DISPOSITION_SUPPRESSED;
        n.row.reasons.push(
          n.alternateOf === undefined
            ? reason(code, 'phone')
            : reason(code, 'alternate_phones', `${n.phone}${n.alternateOf ? ` (column "${n.alternateOf}")` : ''}`),
        );
      }
    });
    return batch;
  };
}
