import { setTimeout as sleep } from 'node:timers/promises';
import { Disposition, type LeadBatch, type LeadRow, type Match } from '@leadflow/proto';
import { emailKey, fileRowOf, isOpen, LeadflowError, leadIdFor, reason, type BatchStage, type CancelledJobs, type ReasonCode } from '@leadflow/pipeline';
import type { Metrics } from '@leadflow/metrics';
import type { Claim, FingerprintStore } from '@leadflow/stores';
import { blockingKeys } from './matching/blocking.js';
import { createMemoryCandidateIndex, type CandidateIndex, type IndexEntry, type IndexRow, type MatchTarget } from './matching/candidate-index.js';
import { comparePair, type PairScore } from './matching/compare.js';
import { toMatchRecord, type MatchRecord } from './matching/record.js';
import { compositeValue, DEFAULT_POLICY, type DedupPolicy } from './policy.js';
import { DEFAULT_EXCLUSIVITY_DAYS, markExclusivity, type PriorDelivery } from './exclusivity.js';
import { claimOverStale, createStaleOwners } from './stale-claims.js';
import type { DuplicateCursor, ScanCursor, StoredLeadMatch, StoredLeads } from './stored-leads.js';

export interface DedupStageOptions {
  fingerprints: FingerprintStore;
  leads: StoredLeads;
  /** The blocking index for fuzzy matching. @default in memory, rebuilt from `leads` on first use */
  index?: CandidateIndex;
  /** The policy of every tenant, or of each (thresholds, look-back, keys). @default DEFAULT_POLICY */
  policy?: Partial<DedupPolicy> | ((tenantId: string, supplier: string) => Promise<Partial<DedupPolicy>>);
  /** Candidates taken from each block of a row, newest first. @default 10 */
  perBlock?: number;
  /** Of those, the ones compared: those sharing the most blocks with the row. @default 10 */
  candidates?: number;
  /** Clock, for the look-back window. */
  now?: () => number;
  /** Matches by type, candidates a row, index rebuild time. */
  metrics?: Pick<Metrics, 'dedupMatches' | 'dedupCandidates' | 'dedupIndexRebuildSeconds'>;
  /**
   * Cancelled jobs: the claims and index entries of their rows never stored match nothing
   * (stale-claims.ts). @default none cancelled
   */
  cancelled?: CancelledJobs;
  /**
   * Days in which another supplier's delivery of the same person makes a row non-exclusive, for
   * every tenant or each (its quality settings). @default 90
   */
  exclusivityDays?: number | ((tenantId: string) => Promise<number>);
}

/** What finding a batch's duplicates leaves for its exclusivity: the rows it looked at, their exact keys, the stored leads sharing one. */
interface Found {
  open: LeadRow[];
  keysOf: Map<LeadRow, ExactKey[]>;
  stored: StoredLeadMatch[];
}

type KeyKind = 'email' | 'phone';

/** The email a row is matched on: its canonical key (mapping's emailKey), or the email for rows made without one. */
const emailKeyOf = (row: LeadRow) => row.lead?.emailKey || row.lead?.email || '';

/** An exact key of a row: its email key or phone, or an alternate's, as claimed (`phone:+1...`). */
interface ExactKey {
  kind: KeyKind;
  value: string;
  claim: string;
  /** The source column of an alternate; undefined for the row's own email or phone. */
  alternateOf?: string;
}

/** The row's exact keys the policy matches on: its own email and phone first, then its alternates. */
function exactKeys(row: LeadRow, policy: DedupPolicy): ExactKey[] {
  const lead = row.lead!;
  const keys: ExactKey[] = [];
  const add = (kind: KeyKind, value: string, alternateOf?: string) => {
    if (value) keys.push({ kind, value, claim: `${kind}:${value}`, alternateOf });
  };
  if (policy.exactEmail) add('email', emailKeyOf(row));
  if (policy.exactPhone) add('phone', lead.phone);
  if (policy.exactEmail) for (const a of lead.alternateEmails) add('email', emailKey(a.value), a.header);
  if (policy.exactPhone) for (const a of lead.alternatePhones) add('phone', a.value, a.header);
  return keys;
}

/** A stored lead's keys the policy matches on, each saying whether it is one of the lead's alternates. */
function storedContactKeys(s: StoredLeadMatch, policy: DedupPolicy): Map<string, boolean> {
  const keys = new Map<string, boolean>();
  if (policy.exactEmail) {
    for (const k of s.alternateEmailKeys) keys.set(`email:${k}`, true);
    if (s.emailKey) keys.set(`email:${s.emailKey}`, false);
  }
  if (policy.exactPhone) {
    for (const p of s.alternatePhones) keys.set(`phone:${p}`, true);
    if (s.phone) keys.set(`phone:${s.phone}`, false);
  }
  return keys;
}

/** Marks a row DUPLICATE by an exact key; the reason names the alternate (field and column) when that is what matched. */
function markExactDuplicate(row: LeadRow, jobId: string, target: MatchTarget, key: ExactKey, how = ''): void {
  const field = key.alternateOf === undefined ? key.kind : `alternate_${key.kind}s`;
  const column = key.alternateOf ? `; the ${key.kind} of column "${key.alternateOf}"` : key.alternateOf === '' ? `; an alternate ${key.kind}` : '';
  markDuplicate(row, jobId, target, `exact_${key.kind}`, 1, REASON_FOR[key.kind], field, '', `${column}${how}`);
}

/** Every exact key of a row or stored lead, whatever the policy: exclusivity looks at all of them. */
const ALL_KEYS = { exactEmail: true, exactPhone: true } as DedupPolicy;

const REASON_FOR: Record<KeyKind, ReasonCode> = { email: 'DUP_EXACT_EMAIL', phone: 'DUP_EXACT_PHONE' };
const DAY_MS = 86_400_000;
const REBUILD_PAGE = 2000;
/** 200 million leads: a bound on the rebuild loop far above any one tenant. */
const MAX_REBUILD_PAGES = 100_000;
/**
 * How long a batch waits for another replica's rebuild before the stage service retries it: a
 * bound below the consumer's session timeout (30 s), so no single wait of a batch outlasts it.
 */
const REBUILD_WAIT_MS = 20_000;

/**
 * Duplicates inside the job and against every stored lead of the tenant (docs/architecture.md
 * section 8), in three steps; the first occurrence stays ACCEPTED and a duplicate names it.
 *
 * 1. Exact keys: the canonical email key and the E.164 phone, looked up among the stored leads
 *    in PostgreSQL (the truth), then claimed atomically in the fingerprint store, so that of two
 *    rows racing in two replicas only one is accepted.
 * 2. Composite keys and fuzzy matches: each row enters the blocking index (atomically, in one
 *    order for every replica) and is compared with the few earlier leads and rows that share a
 *    block; a Fellegi-Sunter match probability decides DUPLICATE, a possible duplicate (kept,
 *    flagged), or neither. Rows found duplicate give up their exact claims but stay in the index
 *    naming their lead: a later copy that resembles one of them best is a duplicate of that lead.
 * 3. The index is rebuilt from PostgreSQL when it is missing (a new process, Redis emptied).
 */
export function createDedupStage(opts: DedupStageOptions): BatchStage {
  const index = opts.index ?? createMemoryCandidateIndex();
  const perBlock = opts.perBlock ?? 10;
  const most = opts.candidates ?? 10;
  const now = opts.now ?? Date.now;
  const rebuilding = new Map<string, Promise<void>>();
  const staleOwners = createStaleOwners(opts.cancelled, opts.leads);

  async function policyFor(tenantId: string, supplier: string): Promise<DedupPolicy> {
    const p = typeof opts.policy === 'function' ? await opts.policy(tenantId, supplier) : opts.policy;
    return { ...DEFAULT_POLICY, ...p };
  }

  /**
   * Enters every page of a scan into the index as stored entries (compared with nothing), in
   * order. While the index takes one page, the next is read from PostgreSQL and made into rows.
   */
  async function enterAll<C, T extends { cursor: C }>(tenantId: string, what: string, scan: (after: C | undefined) => Promise<T[]>, toRow: (item: T) => IndexRow) {
    let next = scan(undefined);
    let entering: Promise<unknown> = Promise.resolve();
    for (let pages = 0; ; pages++) {
      if (pages > MAX_REBUILD_PAGES) {
        throw new LeadflowError('DEDUP_INDEX_TOO_LARGE', `tenant ${tenantId} has more than ${MAX_REBUILD_PAGES * REBUILD_PAGE} ${what} to index: set DEDUP_FUZZY=false for it (exact keys still apply) or archive old leads`, false);
      }
      const page = await next;
      if (page.length === 0) break;
      next = settledLater(scan(page.at(-1)!.cursor));
      const rows = page.map(toRow);
      await entering;
      entering = settledLater(index.enter(tenantId, rows, 0, 0));
    }
    await entering;
  }

  /**
   * Fills a tenant's index from its stored leads and duplicates, once per process or after Redis
   * was emptied. A batch whose `signal` aborts stops waiting; the rebuild goes on for the next.
   */
  async function ensureIndex(tenantId: string, signal?: AbortSignal): Promise<void> {
    if (await index.isBuilt(tenantId)) return;
    const running = rebuilding.get(tenantId);
    if (running) return untilAborted(running, signal);
    const rebuild = (async () => {
      if (!(await index.lockRebuild(tenantId))) {
        // Another replica is rebuilding: wait for it a while, then let the batch be retried.
        for (let waited = 0; waited < REBUILD_WAIT_MS; waited += 100) {
          await sleep(100);
          if (await index.isBuilt(tenantId)) return;
        }
        throw new LeadflowError('DEDUP_INDEX_REBUILDING', `another dedup replica is rebuilding the index of tenant ${tenantId}`, true);
      }
      try {
        if (await index.isBuilt(tenantId)) return;
        const rebuilt = opts.metrics?.dedupIndexRebuildSeconds.startTimer();
        await enterAll(tenantId, 'leads', (after: ScanCursor | undefined) => opts.leads.scan(tenantId, after, REBUILD_PAGE), (s) =>
          indexRow({ leadId: s.leadId, jobId: s.jobId, rowNumber: s.rowNumber, time: s.time }, toMatchRecord(s.lead), []),
        );
        // Then the duplicates found before, each naming its lead.
        await enterAll(tenantId, 'duplicates', (after: DuplicateCursor | undefined) => opts.leads.scanDuplicates(tenantId, after, REBUILD_PAGE), (d) =>
          indexRow({ leadId: leadIdFor(d.jobId, d.rowNumber), jobId: d.jobId, rowNumber: d.rowNumber, time: d.time, duplicateOf: d.duplicateOf }, toMatchRecord(d.lead), []),
        );
        await index.markBuilt(tenantId);
        rebuilt?.();
      } finally {
        await index.unlockRebuild(tenantId);
      }
    })();
    rebuilding.set(tenantId, rebuild);
    rebuild.then(
      () => rebuilding.delete(tenantId),
      () => rebuilding.delete(tenantId),
    );
    return untilAborted(rebuild, signal);
  }

  async function exclusivitySince(tenantId: string): Promise<number> {
    const days = typeof opts.exclusivityDays === 'function' ? await opts.exclusivityDays(tenantId) : (opts.exclusivityDays ?? DEFAULT_EXCLUSIVITY_DAYS);
    return now() - days * DAY_MS;
  }

  const stage: BatchStage = async (batch, signal) => {
    const tenantId = batch.job?.tenantId ?? '';
    const exclusiveSince = await exclusivitySince(tenantId);
    const found = await findDuplicates(batch, exclusiveSince, signal);
    if (found) await markExclusivities(tenantId, batch.job?.supplier ?? '', found, exclusiveSince);
    return batch;
  };

  /**
   * Each row's exclusivity (exclusivity.ts), from the other suppliers' stored leads it shares an
   * email or phone with, and the stored lead it was found a duplicate of (not a possible one).
   */
  async function markExclusivities(tenantId: string, supplier: string, found: Found, since: number): Promise<void> {
    const byClaim = new Map<string, PriorDelivery[]>();
    for (const s of found.stored) {
      if (s.supplier === supplier || s.time < since) continue;
      for (const claim of storedContactKeys(s, ALL_KEYS).keys()) {
        let list = byClaim.get(claim);
        if (!list) byClaim.set(claim, (list = []));
        list.push(s);
      }
    }
    // A possible duplicate may be another person: only a row found the same person counts.
    const sameAs = (r: LeadRow) => (r.match && r.match.matchType !== 'possible' ? r.match.matchedLeadId : '');
    const matched = found.open.map(sameAs).filter(Boolean);
    const byLead = new Map((matched.length > 0 ? await opts.leads.deliveries(tenantId, [...new Set(matched)]) : []).map((d) => [d.leadId, d]));
    for (const row of found.open) {
      const deliveries: PriorDelivery[] = [];
      for (const key of found.keysOf.get(row)!) deliveries.push(...(byClaim.get(key.claim) ?? []));
      const viaMatch = byLead.get(sameAs(row));
      if (viaMatch) deliveries.push(viaMatch);
      markExclusivity(row, supplier, deliveries, since);
    }
  }

  async function findDuplicates(batch: LeadBatch, exclusiveSince: number, signal?: AbortSignal): Promise<Found | undefined> {
    const jobId = batch.job?.jobId ?? '';
    const tenantId = batch.job?.tenantId ?? '';
    const policy = await policyFor(tenantId, batch.job?.supplier ?? '');
    const since = policy.lookbackDays > 0 ? now() - policy.lookbackDays * DAY_MS : 0;
    const open = batch.rows.filter((r) => isOpen(r) && r.lead);
    if (open.length === 0) return undefined;

    // 1. Exact keys: the row's own email and phone, then its alternates'.
    const keysOf = new Map(open.map((r) => [r, exactKeys(r, policy)] as const));
    const withKeys = open.filter((r) => keysOf.get(r)!.length > 0);
    // Exclusivity looks at every email and phone, whether or not the policy matches on them.
    const contactsOf = policy.exactEmail && policy.exactPhone ? keysOf : new Map(open.map((r) => [r, exactKeys(r, ALL_KEYS)] as const));
    const all = open.flatMap((r) => contactsOf.get(r)!);
    // Leads stored since the earlier of the look-back and the exclusivity window: dedup matches
    // those within the look-back, exclusivity those within its window.
    const stored = await opts.leads.findByContact(
      tenantId,
      all.filter((k) => k.kind === 'email').map((k) => k.value),
      all.filter((k) => k.kind === 'phone').map((k) => k.value),
      Math.min(since, exclusiveSince),
    );
    const found: Found = { open, keysOf: contactsOf, stored };
    const storedKeys = new Map(stored.map((s) => [s, storedContactKeys(s, policy)] as const));
    const claims = new Map<LeadRow, Claim>();
    for (const row of withKeys) {
      const keys = keysOf.get(row)!;
      let shared: ExactKey | undefined;
      const earlier = stored.find((s) => {
        if (s.time < since || (s.jobId === jobId && s.rowNumber >= row.rowNumber)) return false;
        shared = keys.find((k) => storedKeys.get(s)!.has(k.claim));
        return shared !== undefined;
      });
      if (earlier && shared) {
        const how = storedKeys.get(earlier)!.get(shared.claim) ? `; that lead has it as an alternate ${shared.kind}` : '';
        markExactDuplicate(row, jobId, { jobId: earlier.jobId, rowNumber: earlier.rowNumber, leadId: earlier.leadId }, shared, how);
      } else {
        claims.set(row, { owner: `${jobId}:${row.rowNumber}`, keys: keys.map((k) => k.claim) });
      }
    }
    const claimed = [...claims];
    const conflicts = await claimOverStale(opts.fingerprints, tenantId, claimed.map(([, c]) => c), staleOwners);
    conflicts.forEach((conflict, i) => {
      if (!conflict) return;
      const [row] = claimed[i]!;
      claims.delete(row);
      const sep = conflict.owner.lastIndexOf(':');
      const ownerJob = conflict.owner.slice(0, sep);
      const ownerRow = Number(conflict.owner.slice(sep + 1));
      const key = keysOf.get(row)!.find((k) => k.claim === conflict.key)!;
      markExactDuplicate(row, jobId, { jobId: ownerJob, rowNumber: ownerRow, leadId: leadIdFor(ownerJob, ownerRow) }, key);
    });

    // 2. Composite keys and fuzzy matches, through the blocking index.
    if (!policy.fuzzy && policy.compositeKeys.length === 0) return found;
    await ensureIndex(tenantId, signal);
    const rest = open.filter(isOpen);
    const entered = rest.map((row) => {
      const record = toMatchRecord(row.lead!);
      const composite = policy.compositeKeys.map((k) => compositeValue(record, k)).filter((v): v is string => v !== undefined);
      return {
        row,
        record,
        composite,
        ...indexRow({ leadId: row.leadId || leadIdFor(jobId, row.rowNumber), jobId, rowNumber: row.rowNumber, time: now() }, record, composite),
      };
    });
    const entries = await index.enter(tenantId, entered, perBlock, most);
    const stale = await staleOwners(new Set(entries.flat().filter((c) => c.jobId !== jobId).map((c) => c.owner)));
    const candidates = stale.size === 0 ? entries : entries.map((found) => found.filter((c) => !stale.has(c.owner)));
    // Rows of this batch found duplicates: the index answered before it knew.
    const duplicates = new Map<string, IndexEntry>();
    entered.forEach((e, i) => {
      // Only leads within the look-back window count, whether met directly or through a duplicate.
      const pool = candidates[i]!.map((c) => duplicates.get(c.owner) ?? c).filter((c) => c.owner !== e.entry.owner && leadOf(c).time >= since);
      opts.metrics?.dedupCandidates.observe(pool.length);
      const keyMatch = compositeMatch(e.composite, pool, policy);
      let matched: IndexEntry | undefined;
      if (keyMatch) {
        markDuplicate(e.row, jobId, keyMatch.entry, 'exact_key', 1, 'DUP_EXACT_KEY', keyMatch.key);
        matched = keyMatch.entry;
      } else if (policy.fuzzy) {
        const best = bestMatch(e.record, pool);
        if (!best) return;
        if (best.score.probability >= policy.duplicateThreshold && !best.score.otherPerson && best.score.located) {
          markDuplicate(e.row, jobId, best.entry, 'fuzzy', best.score.probability, 'DUP_FUZZY', '', explain(best.score));
          matched = best.entry;
        } else if (best.score.probability >= policy.possibleThreshold) {
          // Still a lead; the match says which one it may copy, for a person to decide.
          const lead = leadOf(best.entry);
          e.row.match = matchOn(lead, jobId, 'possible', best.score.probability);
          e.row.tags.push('possible_duplicate');
          const doubt = best.score.otherPerson
            ? '; another given name with an email or phone of its own: another person in the household?'
            : !best.score.located
              ? '; no street, postal code, email or phone agrees'
              : '';
          e.row.reasons.push(reason('POSSIBLE_DUPLICATE', '', `${matchedName(lead, jobId)}, score ${formatScore(best.score.probability)}: ${explain(best.score)}${doubt}`));
        }
      }
      if (matched) duplicates.set(e.entry.owner, { ...e.entry, duplicateOf: leadOf(matched) });
    });
    await index.markDuplicates(tenantId, [...duplicates.values()]);
    await opts.fingerprints.release(tenantId, rest.filter((r) => !isOpen(r) && claims.has(r)).map((r) => claims.get(r)!));
    return found;
  }
  if (!opts.metrics) return stage;
  const { dedupMatches } = opts.metrics;
  return async (batch, signal) => {
    const out = await stage(batch, signal);
    // Only this stage sets a row's match: every match in the batch is one it found.
    for (const row of batch.rows) if (row.match) dedupMatches.inc({ type: row.match.matchType });
    return out;
  };
}

/** `promise`, or the abort's reason as soon as `signal` aborts (the promise goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/** A promise awaited later: its failure is thrown there, and is not unhandled if something else fails first. */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function indexRow(at: Omit<IndexEntry, 'owner' | 'record'>, record: MatchRecord, composite: readonly string[]): IndexRow {
  return { entry: { ...at, owner: `${at.jobId}:${at.rowNumber}`, record }, blocks: [...blockingKeys(record), ...composite.map((v) => `key:${v}`)] };
}

/** The first candidate with the row's value of one of its composite keys, and that key's fields ("last_name+postal_code"). */
function compositeMatch(values: readonly string[], pool: readonly IndexEntry[], policy: DedupPolicy): { entry: IndexEntry; key: string } | undefined {
  if (values.length === 0) return undefined;
  for (const entry of pool) {
    for (const k of policy.compositeKeys) {
      const value = compositeValue(entry.record, k);
      if (value !== undefined && values.includes(value)) return { entry, key: k.join('+') };
    }
  }
  return undefined;
}

/** The candidate most likely the same person; on a tie, the one that came first. */
function bestMatch(record: MatchRecord, pool: readonly IndexEntry[]): { entry: IndexEntry; score: PairScore } | undefined {
  let best: { entry: IndexEntry; score: PairScore } | undefined;
  for (const entry of pool) {
    const score = comparePair(record, entry.record);
    if (!best || score.probability > best.score.probability) best = { entry, score };
  }
  return best;
}

/** "last exact, first close, postal_code exact, street different" — the fields that decided, strongest first. */
function explain(score: PairScore): string {
  const fields = [...score.fields].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)).map((f) => `${FIELD_NAMES[f.field]} ${f.level}`);
  return `${score.swapped ? 'names swapped; ' : ''}${fields.join(', ')}`;
}

const FIELD_NAMES: Record<string, string> = {
  first: 'first_name', last: 'last_name', streetNumber: 'street_number', streetName: 'street', line2: 'address_line2', city: 'city',
  postalCode: 'postal_code', state: 'state', email: 'email', phone: 'phone', company: 'company',
};

/** A probability to 4 decimals, rounded down: 0.99999 shows as 0.9999, never as a certain 1.0000. */
const formatScore = (p: number) => (Math.floor(p * 10_000) / 10_000).toFixed(4);

/** A row of this job by its number, with its file's position when it is not the first (several files: docs/several-files.md). */
function rowName(rowNumber: number): string {
  const { fileIndex, row } = fileRowOf(rowNumber);
  return fileIndex === 0 ? `row ${row}` : `row ${row} of file ${fileIndex + 1}`;
}

const matchedName = (m: MatchTarget, jobId: string) =>
  m.jobId === jobId ? rowName(m.rowNumber) : `lead ${m.leadId}`;

/** A match on a lead: by its row when it is a row of this job, else by its id. */
function matchOn(lead: MatchTarget, jobId: string, matchType: string, score: number): Match {
  const sameJob = lead.jobId === jobId;
  return { matchedJobId: lead.jobId, matchedRow: sameJob ? lead.rowNumber : 0, matchedLeadId: sameJob ? '' : lead.leadId, matchType, score };
}

/** The lead an index entry stands for: itself, or for a duplicate the lead it copies. */
const leadOf = (e: IndexEntry): MatchTarget & { time: number } =>
  e.duplicateOf ?? { leadId: e.leadId, jobId: e.jobId, rowNumber: e.rowNumber, time: e.time };

/**
 * Marks a row DUPLICATE of what it matched: a match on an earlier duplicate makes the row a
 * duplicate of that one's lead, and the reason says through which.
 */
function markDuplicate(
  row: LeadRow,
  jobId: string,
  candidate: MatchTarget & { duplicateOf?: MatchTarget },
  matchType: string,
  score: number,
  code: ReasonCode,
  field: string,
  why = '',
  /** More on an exact match ("; the phone of column "Mobile""), said like `via`. */
  how = '',
): void {
  const matched = candidate.duplicateOf ?? candidate;
  const via = `${how}${candidate.duplicateOf ? `; through ${matchedName(candidate, jobId)}, a duplicate of it` : ''}`;
  row.disposition = Disposition.DISPOSITION_DUPLICATE;
  row.match = matchOn(matched, jobId, matchType, score);
  const detail = `same as ${matchedName(matched, jobId)}${why ? ` (score ${formatScore(score)}: ${why}${via})` : via ? ` (${via.slice(2)})` : ''}`;
  row.reasons.push(reason(code, field, detail));
}
