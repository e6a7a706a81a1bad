import { Disposition, type LeadRow } from '@leadflow/proto';
import { isOpen, LeadflowError, reason, type BatchStage, type ReasonCode } from '@leadflow/pipeline';
import { dncListLabel, DncListsNotReady, type DncListHead, type DncListKind, type DncRegistry, type DncScreening } from '@leadflow/stores';
import type { DncAudit, DncCheck } from './dnc-audit.js';

export interface DncStageOptions {
  registry: DncRegistry;
  audit: DncAudit;
}

/**
 * The reason a listing gives. A `wireless` list says a number is a mobile's, which suppresses only
 * in the states that forbid such calls (issue 13, planned): it is checked and audited, and
 * suppresses nothing by itself yet.
 */
function reasonOf(kind: DncListKind): ReasonCode | undefined | null {
  if (kind === 'national' || kind === 'national-ca') return 'DNC_NATIONAL';
  if (kind === 'internal') return 'DNC_INTERNAL';
  if (kind === 'litigator') return 'DNC_LITIGATOR';
  if (kind.startsWith('state:')) return 'DNC_STATE';
  if (kind === 'wireless') return null;
  return undefined;
}

/** The list a decision was checked against, as the scrubbers name it: "National (USA) 2003-06-01, version 3". */
export const listDetail = (list: DncListHead) => `${dncListLabel(list.kind)} ${list.snapshotDate || '(no snapshot)'}, version ${list.version}`;

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
 * Open rows with a phone number on a Do-Not-Call list become SUPPRESSED: on a national list
 * (DNC_NATIONAL), a state's (DNC_STATE), a litigator list (DNC_LITIGATOR) or the internal list of
 * the batch's tenant (DNC_INTERNAL), their own number or any alternate, each listing named in a
 * reason whose detail names the list, its snapshot date and version (an alternate also by its
 * number and column). Every number is audited against each list, with its version and snapshot date.
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
        const code = reasonOf(lists[j]!.kind);
        if (code === null) continue;
        if (!code) throw new LeadflowError('DNC_LIST_KIND_UNKNOWN', `a ${lists[j]!.kind} list has no reason code yet`, false);
        n.row.disposition = Disposition.DISPOSITION_SUPPRESSED;
        n.row.reasons.push(
          n.alternateOf === undefined
            ? reason(code, 'phone', listDetail(lists[j]!))
            : reason(code, 'alternate_phones', `${n.phone}${n.alternateOf ? ` (column "${n.alternateOf}")` : ''} on ${listDetail(lists[j]!)}`),
        );
      }
    });
    return batch;
  };
}
