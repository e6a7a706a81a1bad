import { Disposition, type LeadRow } from '@leadflow/proto';
import { isOpen, LeadflowError, reason, type BatchStage, type ReasonCode } from '@leadflow/pipeline';
import {
  dncListLabel, DncListsNotReady, exemptionHolds, valuesOfKind, type DncExemption, type DncExemptionStore, type DncListHead, type DncListKind,
  type DncRegistry, type DncScreening, type DncValueKind,
} from '@leadflow/stores';
import type { DncAudit, DncCheck } from './dnc-audit.js';
import type { ErasedScreen } from './erased-screen.js';
import { DEFAULT_WIRELESS_STATES, mustBeFresh, snapshotAgeDays, type StaleListPolicy } from './freshness-config.js';
import type { HeldRows } from './held-rows.js';

export interface DncStageOptions {
  registry: DncRegistry;
  audit: DncAudit;
  /** The tenant's recorded exemptions (docs/dnc-lists.md, "Exemptions"); none without. */
  exemptions?: Pick<DncExemptionStore, 'inForce'>;
  /** Today, YYYY-MM-DD UTC: the day exemption windows are judged on. */
  today?: () => string;
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
  /** The persons the tenant erased, by keyed hash (docs/erasure.md): their emails and phones are suppressed. None without. */
  erased?: ErasedScreen;
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
  if (kind === 'suppression:email') return 'SUPPRESSED_EMAIL';
  if (kind === 'suppression:domain') return 'SUPPRESSED_DOMAIN';
  if (kind === 'suppression:phone') return 'SUPPRESSED_PHONE';
  if (kind === 'wireless') return null;
  return undefined;
}

/** Only the national and state lists yield to an exemption; internal, litigator and suppression lists never do. */
const exemptible = (kind: DncListKind) => kind === 'national' || kind === 'national-ca' || kind.startsWith('state:');

/** The list a decision was checked against, as the scrubbers name it: "National (USA) 2003-06-01, version 3". */
export const listDetail = (list: DncListHead) => `${dncListLabel(list.kind)} ${list.snapshotDate || '(no snapshot)'}, version ${list.version}`;

/** One value of a row to screen: its phone, email or email domain, or an alternate's (from a further column). */
interface Screened {
  row: LeadRow;
  value: string;
  kind: DncValueKind;
  /** The row's field: phone, alternate_phones, email, alternate_emails. */
  field: string;
  /** The source column of an alternate; undefined for the row's own phone or email. */
  alternateOf?: string;
  /** A domain's: the address it is the domain of. */
  domainOf?: string;
}

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

function valuesOf(row: LeadRow): Screened[] {
  const lead = row.lead!;
  // Most rows: one phone, nothing else to screen.
  if (!lead.email && lead.alternatePhones.length === 0 && lead.alternateEmails.length === 0) {
    return lead.phone ? [{ row, value: lead.phone, kind: 'phone', field: 'phone' }] : [];
  }
  const phones: Screened[] = [
    ...(lead.phone ? [{ row, value: lead.phone, kind: 'phone' as const, field: 'phone' }] : []),
    ...lead.alternatePhones.map((a) => ({ row, value: a.value, kind: 'phone' as const, field: 'alternate_phones', alternateOf: a.header })),
  ];
  const emails: Screened[] = [
    ...(lead.email ? [{ row, value: lead.email.toLowerCase(), kind: 'email' as const, field: 'email' }] : []),
    ...lead.alternateEmails.map((a) => ({ row, value: a.value.toLowerCase(), kind: 'email' as const, field: 'alternate_emails', alternateOf: a.header })),
  ];
  const domains = new Map<string, Screened>();
  for (const e of emails) {
    const d = domainOf(e.value);
    if (d && !domains.has(d)) domains.set(d, { ...e, value: d, kind: 'domain', domainOf: e.value });
  }
  return [...phones, ...emails, ...domains.values()];
}

/** The detail of a listing: the list, and for an alternate or a domain the value and where it came from. */
function detailOf(n: Screened, list: DncListHead): string {
  const column = n.alternateOf ? ` (column "${n.alternateOf}")` : '';
  if (n.domainOf !== undefined) return `${n.value} of ${n.domainOf}${column} on ${listDetail(list)}`;
  if (n.alternateOf !== undefined) return `${n.value}${column} on ${listDetail(list)}`;
  return listDetail(list);
}

/** What exempts a row's number: a recorded exemption, or the file's consent columns. */
interface Exemption {
  kind: DncExemption['kind'];
  date: string;
  /** Recorded: its id; from the file: ''. */
  id: string;
}

/** How an exemption is named on the row and in the audit: "ebr_purchase 2026-05-01 (exemption 12)". */
const exemptionName = (e: Exemption) => `${e.kind} ${e.date}${e.id ? ` (exemption ${e.id})` : ' (the file\'s consent columns)'}`;

/** Consent outranks a relationship; among equals, the latest. */
const RANK: Record<Exemption['kind'], number> = { consent: 0, ebr_purchase: 1, ebr_inquiry: 2 };

/** The exemption in force for a number of a row: one recorded for the number or any of the row's emails, or the file's consent. */
function exemptionFor(n: Screened, recorded: readonly DncExemption[], today: string): Exemption | undefined {
  const lead = n.row.lead!;
  const emails = new Set([lead.email, ...lead.alternateEmails.map((a) => a.value)].filter(Boolean).map((e) => e.toLowerCase()));
  const found: Exemption[] = recorded
    .filter((e) => (e.phone ? e.phone === n.value : emails.has(e.email)) && exemptionHolds(e, today))
    .map((e) => ({ kind: e.kind, date: e.date, id: e.id }));
  if (/^\d{4}-\d{2}-\d{2}$/.test(lead.consentDate) && lead.consentDate <= today) found.push({ kind: 'consent', date: lead.consentDate, id: '' });
  found.sort((a, b) => RANK[a.kind] - RANK[b.kind] || b.date.localeCompare(a.date));
  return found[0];
}

/** The screening, or a retryable error while a list is being loaded: a batch is never passed as clean against half a list. */
async function screen(registry: DncRegistry, values: readonly string[], tenantId: string): Promise<DncScreening> {
  try {
    return await registry.screen(values, tenantId);
  } catch (err) {
    if (err instanceof DncListsNotReady) throw new LeadflowError(err.code, err.message, true, { cause: err });
    throw err;
  }
}

const utcToday = () => new Date().toISOString().slice(0, 10);

/** The state a lead is in, as two capital letters; '' when it has none. */
const stateOf = (row: LeadRow) => (row.lead?.state ?? '').trim().toUpperCase();

/**
 * Open rows on a Do-Not-Call or suppression list become SUPPRESSED: a phone (their own or any
 * alternate) on a national list (DNC_NATIONAL), a state's (DNC_STATE), a litigator list
 * (DNC_LITIGATOR), the tenant's internal list (DNC_INTERNAL) or its suppression list of phones
 * (SUPPRESSED_PHONE); an email (own or alternate) on its suppression list of emails
 * (SUPPRESSED_EMAIL), or of domains (SUPPRESSED_DOMAIN). Each listing is a reason whose detail
 * names the list, its snapshot date and version. An exemption in force (recorded, or the row's
 * consent date) lifts a national or state listing, named in a DNC_EXEMPT reason and in the
 * audit; never an internal, litigator or suppression one. A phone on a wireless list, of a lead
 * in a state that forbids calls to mobiles, without consent, is DNC_WIRELESS_STATE. Every phone is
 * audited against each list of phones, with its version, snapshot date and result. While a
 * national or state list is stale, rows with a phone are held (taken out of the batch, kept until
 * a fresh import) or suppressed (DNC_LIST_STALE), by the tenant's policy.
 */
export function createDncStage(opts: DncStageOptions): BatchStage {
  const today = opts.today ?? utcToday;
  const wirelessStates = new Set((opts.wirelessStates ?? DEFAULT_WIRELESS_STATES).map((s) => s.trim().toUpperCase()));
  return async (batch) => {
    let values = batch.rows.filter((r) => isOpen(r) && r.lead).flatMap(valuesOf);
    if (values.length === 0) return batch;
    const tenantId = batch.job?.tenantId ?? '';
    // Persons the tenant erased (any email or phone of theirs, own or alternate, suppresses the row, the value never
    // named): looked up beside the lists' screening, not after it.
    const [screening, erasedAll] = await Promise.all([
      screen(opts.registry, values.map((n) => n.value), tenantId),
      opts.erased?.match(tenantId, values.map((n) => ({ kind: n.kind === 'phone' ? ('phone' as const) : ('email' as const), value: n.kind === 'domain' ? '' : n.value }))),
    ]);
    const { lists } = screening;
    let on = screening.on;
    let erasedOn = erasedAll ?? [];

    const fresh = opts.freshness;
    const now = fresh?.now?.() ?? new Date();
    const stale = fresh ? lists.filter((l) => mustBeFresh(l.kind) && (snapshotAgeDays(l.snapshotDate, now) ?? 0) > fresh.maxAgeDays) : [];
    const staleNames = stale.map((l) => `${dncListLabel(l.kind)} ${l.snapshotDate}`).join(', ');
    let out = batch;
    if (stale.length > 0 && (await fresh!.policyOf(tenantId)) === 'hold') {
      // Rows with a phone are held, not screened: audited when they are screened against a fresh
      // list. The others go on, screened against the lists of emails and domains.
      const held = new Set(values.filter((n) => n.kind === 'phone').map((n) => n.row));
      await fresh!.held.hold(batch.job!, [...held], staleNames);
      out = { ...batch, rows: batch.rows.filter((r) => !held.has(r)) };
      const kept = values.map((n, i) => [n, on[i]!, erasedOn[i]] as const).filter(([n]) => !held.has(n.row));
      values = kept.map(([n]) => n);
      on = kept.map(([, o]) => o);
      erasedOn = kept.map(([, , e]) => e);
      if (values.length === 0) return out;
    }
    const day = today();
    const wirelessState = (n: Screened) => wirelessStates.has(stateOf(n.row));
    // Exemptions are looked up only when a number is on a list they can lift, or that consent lets through.
    const needsExemptions = values.some(
      (n, i) => n.kind === 'phone' && on[i]!.some((j) => exemptible(lists[j]!.kind) || (lists[j]!.kind === 'wireless' && wirelessState(n))),
    );
    // Asked only for the numbers an exemption could lift, and the emails of their rows (an exemption is recorded for either).
    const liftable = (n: Screened, i: number) => n.kind === 'phone' && on[i]!.some((j) => exemptible(lists[j]!.kind) || lists[j]!.kind === 'wireless');
    const liftableRows = new Set(values.filter(liftable).map((n) => n.row));
    const recorded =
      needsExemptions && opts.exemptions
        ? await opts.exemptions.inForce(
            tenantId,
            values.filter(liftable).map((n) => n.value),
            values.filter((n) => n.kind === 'email' && liftableRows.has(n.row)).map((n) => n.value),
          )
        : [];
    const exemptions = values.map((n, i) => (liftable(n, i) ? exemptionFor(n, recorded, day) : undefined));
    /** Prior express written consent lets a mobile in those states be called; a business relationship does not. */
    const consented = (i: number) => exemptions[i]?.kind === 'consent';
    const resultOf = (n: Screened, i: number, list: DncListHead, j: number) => {
      if (stale.includes(list)) return 'stale';
      if (!on[i]!.includes(j)) return 'clear';
      if (list.kind === 'wireless') return wirelessState(n) && !consented(i) ? 'wireless_state' : 'listed';
      return 'listed';
    };
    const checks: DncCheck[] = [];
    const phoneLists = lists.map((list) => valuesOfKind(list.kind) === 'phone');
    const jobId = batch.job?.jobId ?? '';
    values.forEach((n, i) => {
      if (n.kind !== 'phone') return;
      lists.forEach((list, j) => {
        if (!phoneLists[j]) return;
        const listed = on[i]!.includes(j);
        const exempt = listed && (exemptible(list.kind) || (list.kind === 'wireless' && wirelessState(n))) ? exemptions[i] : undefined;
        const check: DncCheck = { jobId, rowNumber: n.row.rowNumber, tenantId, phone: n.value, list, listed, result: resultOf(n, i, list, j) };
        if (exempt && (list.kind !== 'wireless' || consented(i))) check.exemption = exemptionName(exempt);
        checks.push(check);
      });
    });
    await opts.audit.record(checks);
    const staleDone = new Set<LeadRow>();
    values.forEach((n, i) => {
      if (stale.length > 0 && n.kind === 'phone' && !staleDone.has(n.row)) {
        staleDone.add(n.row);
        n.row.disposition = Disposition.DISPOSITION_SUPPRESSED;
        n.row.reasons.push(reason('DNC_LIST_STALE', n.field, `${staleNames}: older than ${fresh!.maxAgeDays} days`));
      }
      const erasedDay = n.kind === 'domain' ? undefined : erasedOn[i];
      if (erasedDay) {
        n.row.disposition = Disposition.DISPOSITION_SUPPRESSED;
        const column = n.alternateOf ? ` (column "${n.alternateOf}")` : '';
        n.row.reasons.push(reason(n.kind === 'phone' ? 'SUPPRESSED_PHONE' : 'SUPPRESSED_EMAIL', n.field, `erased on request ${erasedDay}${column}`));
      }
      for (const j of on[i]!) {
        const list = lists[j]!;
        if (list.kind === 'wireless') {
          if (resultOf(n, i, list, j) === 'wireless_state') {
            n.row.disposition = Disposition.DISPOSITION_SUPPRESSED;
            n.row.reasons.push(reason('DNC_WIRELESS_STATE', n.field, `${detailOf(n, list)}, lead in ${stateOf(n.row)}`));
          }
          continue;
        }
        const code = reasonOf(list.kind);
        if (code === null) continue;
        if (!code) throw new LeadflowError('DNC_LIST_KIND_UNKNOWN', `a ${list.kind} list has no reason code yet`, false);
        const exempt = exemptible(list.kind) ? exemptions[i] : undefined;
        if (exempt) {
          const number = n.alternateOf !== undefined ? `${n.value}${n.alternateOf ? ` (column "${n.alternateOf}")` : ''} ` : '';
          n.row.reasons.push(reason('DNC_EXEMPT', n.field, `${number}exempt from ${dncListLabel(list.kind)} ${list.snapshotDate || '(no snapshot)'}, version ${list.version} by ${exemptionName(exempt)}`));
          continue;
        }
        n.row.disposition = Disposition.DISPOSITION_SUPPRESSED;
        n.row.reasons.push(reason(code, n.field, detailOf(n, list)));
      }
    });
    return out;
  };
}
