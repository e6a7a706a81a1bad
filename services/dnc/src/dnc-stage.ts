import { Disposition, type LeadRow } from '@leadflow/proto';
import { isOpen, LeadflowError, reason, type BatchStage, type ReasonCode } from '@leadflow/pipeline';
import { dncListLabel, DncListsNotReady, type DncListHead, type DncListKind, type DncRegistry, type DncScreening } from '@leadflow/stores';
import type { DncAudit, DncCheck } from './dnc-audit.js';
import { DEFAULT_WIRELESS_STATES, mustBeFresh, snapshotAgeDays, type StaleListPolicy } from './freshness-config.js';
import type { HeldRows } from './held-rows.js';

export interface DncStageOptions {
  registry: DncRegistry;
  audit: DncAudit;
  /**
   * List freshness (docs/dnc-lists.md, "Freshness"): a national or state snapshot older than
   * `maxAgeDays` holds rows with phones in `held` (policy `hold`), or suppresses them with
   * DNC_LIST_STALE (`suppress`). Without it no list is ever stale.
   */
  freshness?: {
    maxAgeDays: number;
    policyOf(tenantId: string): Promise<StaleListPolicy>;
    held: HeldRows;
    /** @default the clock */
    now?: () => Date;
  };
  /** States where a number on a wireless list is suppressed without consent. @default WY, NJ, TX, LA, AZ */
  wirelessStates?: readonly string[];
  /**
   * The consent date a row carries (prior express written consent), which lets a wireless number
   * in those states be called: the hook for the consent columns of a file (issue 13, exemptions,
   * built beside this). @default none: no row carries consent yet
   */
  consentOf?: (row: LeadRow) => string | undefined;
}

/**
 * The reason a listing gives. A `wireless` list says a number is a mobile's, which suppresses only
 * in the states that forbid such calls (DNC_WIRELESS_STATE, decided by the row's state): null here.
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

/** The state a lead is in, as two capital letters; '' when it has none. */
const stateOf = (row: LeadRow) => (row.lead?.state ?? '').trim().toUpperCase();

/**
 * Open rows with a phone number on a Do-Not-Call list become SUPPRESSED: on a national list
 * (DNC_NATIONAL), a state's (DNC_STATE), a litigator list (DNC_LITIGATOR) or the internal list of
 * the batch's tenant (DNC_INTERNAL), their own number or any alternate, each listing named in a
 * reason whose detail names the list, its snapshot date and version (an alternate also by its
 * number and column); on a wireless list, when the lead is in a state that forbids calls to mobiles
 * and carries no consent (DNC_WIRELESS_STATE). Every number is audited against each list, with its
 * version and snapshot date. While a national or state list is stale, rows with a phone are held
 * (taken out of the batch, kept until a fresh import) or suppressed (DNC_LIST_STALE), by the
 * tenant's policy.
 */
export function createDncStage(opts: DncStageOptions): BatchStage {
  const wirelessStates = new Set((opts.wirelessStates ?? DEFAULT_WIRELESS_STATES).map((s) => s.trim().toUpperCase()));
  const consentOf = opts.consentOf ?? (() => undefined);
  return async (batch) => {
    const numbers = batch.rows.filter((r) => isOpen(r) && r.lead).flatMap(numbersOf);
    if (numbers.length === 0) return batch;
    const tenantId = batch.job?.tenantId ?? '';
    const { lists, on } = await screen(opts.registry, numbers.map((n) => n.phone), tenantId);

    const fresh = opts.freshness;
    const now = fresh?.now?.() ?? new Date();
    const stale = fresh
      ? lists.filter((l) => mustBeFresh(l.kind) && (snapshotAgeDays(l.snapshotDate, now) ?? 0) > fresh.maxAgeDays)
      : [];
    const staleNames = stale.map((l) => `${dncListLabel(l.kind)} ${l.snapshotDate}`).join(', ');
    if (stale.length > 0 && (await fresh!.policyOf(tenantId)) === 'hold') {
      // Held, not screened: audited when they are screened against a fresh list.
      const held = new Set(numbers.map((n) => n.row));
      await fresh!.held.hold(batch.job!, [...held], staleNames);
      return { ...batch, rows: batch.rows.filter((r) => !held.has(r)) };
    }

    const results = numbers.map((n, i) => lists.map((list, j) => {
      const listed = on[i]!.includes(j);
      if (!listed) return 'clear';
      if (list.kind === 'wireless') return wirelessStates.has(stateOf(n.row)) && !consentOf(n.row) ? 'wireless_state' : 'listed';
      return 'listed';
    }));
    const checks: DncCheck[] = numbers.flatMap((n, i) =>
      lists.map((list, j) => ({
        jobId: batch.job?.jobId ?? '',
        rowNumber: n.row.rowNumber,
        tenantId,
        phone: n.phone,
        list,
        listed: on[i]!.includes(j),
        result: stale.includes(list) ? 'stale' : results[i]![j]!,
      })),
    );
    await opts.audit.record(checks);
    const suppress = (n: Screened, code: ReasonCode, detail: string) => {
      n.row.disposition = Disposition.DISPOSITION_SUPPRESSED;
      n.row.reasons.push(
        n.alternateOf === undefined
          ? reason(code, 'phone', detail)
          : reason(code, 'alternate_phones', `${n.phone}${n.alternateOf ? ` (column "${n.alternateOf}")` : ''} on ${detail}`),
      );
    };
    const staleDone = new Set<LeadRow>();
    numbers.forEach((n, i) => {
      if (stale.length > 0 && !staleDone.has(n.row)) {
        staleDone.add(n.row);
        n.row.disposition = Disposition.DISPOSITION_SUPPRESSED;
        n.row.reasons.push(reason('DNC_LIST_STALE', 'phone', `${staleNames}: older than ${fresh!.maxAgeDays} days`));
      }
      for (const j of on[i]!) {
        const list = lists[j]!;
        if (list.kind === 'wireless') {
          if (results[i]![j] === 'wireless_state') suppress(n, 'DNC_WIRELESS_STATE', `${listDetail(list)}, lead in ${stateOf(n.row)}`);
          continue;
        }
        const code = reasonOf(list.kind);
        if (code === null) continue;
        if (!code) throw new LeadflowError('DNC_LIST_KIND_UNKNOWN', `a ${list.kind} list has no reason code yet`, false);
        suppress(n, code, listDetail(list));
      }
    });
    return batch;
  };
}
