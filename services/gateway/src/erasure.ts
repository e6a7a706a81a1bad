import type { CandidateIndex } from '@leadflow/dedup';
import { emailKey } from '@leadflow/pipeline';
import {
  createSqlErasedSubjects, ERASED_PURPOSES, fingerprintHash, fingerprintKey, type DncRegistry, type ErasedHash, type Redis, type SqlClient,
} from '@leadflow/stores';
import type { Keyring } from '@leadflow/secrets';
import { jsonMentions, subjectParams, type Subject } from './erasure-match.js';
import { eraseDeliveryEvents, eraseHeldRows, eraseMappingSamples, eraseParkedRows } from './erasure-rows.js';

/** What one erasure removed, by kind of record (docs/erasure.md). */
export interface ErasureCounts {
  leads: number;
  duplicates: number;
  possibleDuplicates: number;
  merges: number;
  rejected: number;
  suppressed: number;
  /** Rows held by the dnc stage for a stale list, emptied and marked suppressed. */
  held: number;
  /** Rows of batches parked for a mapping review, their cells emptied. */
  parked: number;
  /** Values among the samples kept with jobs' mappings, emptied. */
  mappingSamples: number;
  /** Delivery records: deliveries, and outbox events deleted or stripped of the person's leads. */
  deliveries: number;
  deliveryAttempts: number;
  exemptions: number;
  /** Dedup's exact-key claims of the person (Redis in Kafka mode, a table standalone). */
  dedupClaims: number;
}

export interface ErasureResult {
  id: string;
  erasedAt: string;
  removed: ErasureCounts;
  /**
   * What keeps the person out from now on: `erased:email`, `erased:phone` (their keyed hashes, screened
   * by the dnc stage), each for what the request gave; on an installation without keys, the
   * suppression lists they were added to in clear (`suppression:email`, `suppression:phone`).
   */
  suppressed: string[];
}

export interface ErasureDeps {
  db: SqlClient;
  /** The tenant's suppression lists are loaded through it (Kafka mode: Redis's copy too). */
  dnc: DncRegistry;
  /** Dedup's blocking index: the tenant's is forgotten, and rebuilt from the leads left at its next use. */
  dedupIndex?: CandidateIndex;
  /** Kafka mode: where dedup keeps its exact-key claims. */
  redis?: Redis;
  /**
   * The installation's keys: the person is kept out, and logged, only as keyed hashes under them;
   * none, they are added to the tenant's suppression lists in clear and the log keeps no hash.
   */
  keyring?: Keyring;
  /** Told once the person's hashes are recorded: `leadflow serve`'s dnc stage rereads the tenant's at once. */
  onErased?: (tenantId: string) => void;
}

/** The keyed hash's purpose: an erasure log's hash matches no other use of the keys (docs/secrets.md). */
export const ERASURE_PURPOSE = 'erasure-subject';

/** Tables erasure reads or changes, each created by the service that owns it: one not made yet holds nothing. */
const TABLES = [
  'leads', 'duplicate_leads', 'possible_duplicates', 'lead_merges', 'rejected_rows', 'suppressed_leads', 'deliveries', 'delivery_events',
  'delivery_attempts', 'delivery_progress', 'dnc_exemptions', 'dnc_held_rows', 'parked_batches', 'job_mappings', 'job_file_mappings', 'dedup_claims',
];

const count = async (q: Promise<{ rowCount: number | null }>) => (await q).rowCount ?? 0;

/**
 * Removes one person (by email and/or phone) from everything a tenant keeps, in one transaction,
 * after adding them to its suppression lists (so that no row of theirs is accepted meanwhile), and
 * logs the erasure without personal data (erasure_log). docs/erasure.md says what goes and what stays.
 */
export function createErasure(deps: ErasureDeps) {
  const { db } = deps;

  const erasedSubjects = createSqlErasedSubjects(db);

  /** The person as keyed hashes (docs/erasure.md), recorded before any row is removed: a row of theirs screened from now on is suppressed. */
  async function recordHashes(tenantId: string, s: Subject, keyring: Keyring): Promise<{ hashes: ErasedHash[]; kinds: string[] }> {
    const hashes: ErasedHash[] = [];
    const kinds: string[] = [];
    for (const [kind, value] of [['email', s.email], ['phone', s.phone]] as const) {
      if (!value) continue;
      hashes.push({ kind, ...keyring.keyedHash(ERASED_PURPOSES[kind], value) });
      kinds.push(`erased:${kind}`);
    }
    await erasedSubjects.add(tenantId, hashes);
    deps.onErased?.(tenantId);
    return { hashes, kinds };
  }

  /** Without keys: the person added in clear to the tenant's suppression lists. */
  async function suppress(tenantId: string, s: Subject): Promise<string[]> {
    const lists: string[] = [];
    for (const [kind, value] of [['suppression:email', s.email], ['suppression:phone', s.phone]] as const) {
      if (!value) continue;
      await deps.dnc.load(
        { kind, owner: tenantId, mode: 'add', source: 'erasure request', normalize: (t) => (t === s.phone ? s.phone : undefined) },
        (async function* () {
          yield { name: 'erasure', chunks: (async function* () { yield Buffer.from(`${value}\n`); })() };
        })(),
      );
      lists.push(kind);
    }
    return lists;
  }

  async function removeRows(tenantId: string, s: Subject, has: (t: string) => boolean): Promise<{ counts: ErasureCounts; claimKeys: Set<string> }> {
    const p = [tenantId, ...subjectParams(s)];
    return db.transaction(async (tx) => {
      const counts: ErasureCounts = {
        leads: 0, duplicates: 0, possibleDuplicates: 0, merges: 0, rejected: 0, suppressed: 0, held: 0, parked: 0, mappingSamples: 0,
        deliveries: 0, deliveryAttempts: 0, exemptions: 0, dedupClaims: 0,
      };
      // The claims dedup holds for the person: their own keys, and every key of a lead of theirs.
      const claimKeys = new Set<string>();
      if (s.email) claimKeys.add(`email:${s.emailKey}`).add(`email:${s.email}`);
      if (s.phone) claimKeys.add(`phone:${s.phone}`);
      // The rows of the person, by job and row, whatever table filed them: their deliveries go too.
      const rowsGone: { job: string; row: number }[] = [];
      const leadIds = new Set<string>();
      if (has('leads')) {
        const { rows } = await tx.query<{ id: string; job_id: string; row_number: number; email_key: string | null; phone: string | null; alternates: { emails?: string[]; phones?: string[] } }>(
          `SELECT id, job_id, row_number, email_key, phone, alternates FROM leads t
            WHERE t.tenant_id = $1 AND (($3 <> '' AND t.email_key = $3) OR ($4 <> '' AND t.phone = $4)
              OR t.id IN (SELECT lead_id FROM lead_alternate_keys
                           WHERE tenant_id = $1 AND key IN ('email:' || nullif($2, ''), 'email:' || nullif($3, ''), 'phone:' || nullif($4, '')))
              OR ${jsonMentions('to_jsonb(t)')})`,
          p,
        );
        for (const r of rows) {
          leadIds.add(r.id);
          rowsGone.push({ job: r.job_id, row: r.row_number });
          if (r.email_key) claimKeys.add(`email:${r.email_key}`);
          if (r.phone) claimKeys.add(`phone:${r.phone}`);
          for (const e of r.alternates?.emails ?? []) claimKeys.add(`email:${emailKey(e)}`);
          for (const ph of r.alternates?.phones ?? []) claimKeys.add(`phone:${ph}`);
        }
      }
      const ids = [...leadIds];
      const byLead = (...cols: string[]) => cols.map((c) => `t.${c} = ANY($6::uuid[])`).join(' OR ');
      const del = async (table: string, extra = '') => {
        if (!has(table)) return [] as { job_id: string; row_number: number }[];
        const { rows } = await tx.query<{ job_id: string; row_number: number }>(
          `DELETE FROM ${table} t WHERE t.tenant_id = $1 AND (${jsonMentions('to_jsonb(t)')}${extra ? ` OR ${extra}` : ''}) RETURNING t.job_id, t.row_number`,
          extra ? [...p, ids] : p,
        );
        return rows;
      };
      const dups = await del('duplicate_leads', byLead('lead_id', 'matched_lead_id'));
      counts.duplicates = dups.length;
      counts.possibleDuplicates = (await del('possible_duplicates', byLead('lead_id', 'matched_lead_id'))).length;
      counts.merges = (await del('lead_merges', byLead('lead_id'))).length;
      counts.rejected = (await del('rejected_rows')).length;
      const suppressed = await del('suppressed_leads');
      counts.suppressed = suppressed.length;
      for (const r of [...dups, ...suppressed]) rowsGone.push({ job: r.job_id, row: r.row_number });
      if (has('deliveries')) {
        counts.deliveries += await count(
          tx.query(
            `DELETE FROM deliveries d WHERE d.lead_id = ANY($1::uuid[])
                OR (d.job_id, d.row_number) IN (SELECT * FROM unnest($2::text[], $3::int[]))`,
            [ids, rowsGone.map((r) => r.job), rowsGone.map((r) => r.row)],
          ),
        );
      }
      if (has('delivery_events')) {
        const out = await eraseDeliveryEvents(tx, tenantId, s, leadIds);
        counts.deliveries += out.events;
        counts.deliveryAttempts = out.attempts;
      }
      if (has('leads')) counts.leads = await count(tx.query('DELETE FROM leads WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [tenantId, ids]));
      if (has('dnc_exemptions')) {
        counts.exemptions = await count(
          tx.query("DELETE FROM dnc_exemptions WHERE tenant_id = $1 AND (($2 <> '' AND lower(email) = $2) OR ($3 <> '' AND phone = $3))", [tenantId, s.email, s.phone]),
        );
      }
      if (has('dnc_held_rows')) counts.held = await eraseHeldRows(tx, tenantId, s);
      if (has('parked_batches')) counts.parked = await eraseParkedRows(tx, tenantId, s);
      counts.mappingSamples = await eraseMappingSamples(tx, tenantId, s, has);
      if (has('dedup_claims')) {
        counts.dedupClaims = await count(
          tx.query('DELETE FROM dedup_claims WHERE tenant_id = $1 AND key = ANY($2::text[])', [tenantId, [...claimKeys].map(fingerprintHash)]),
        );
      }
      return { counts, claimKeys };
    });
  }

  return {
    async erase(tenantId: string, keyPrefix: string, s: Subject): Promise<ErasureResult> {
      const hashed = deps.keyring ? await recordHashes(tenantId, s, deps.keyring) : undefined;
      const suppressed = hashed ? hashed.kinds : await suppress(tenantId, s);
      const { rows: present } = await db.query<{ t: string }>('SELECT t FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL', [TABLES]);
      const tables = new Set(present.map((r) => r.t));
      const { counts, claimKeys } = await removeRows(tenantId, s, (t) => tables.has(t));
      if (deps.redis && claimKeys.size > 0) counts.dedupClaims += await deps.redis.del(...[...claimKeys].map((k) => fingerprintKey(tenantId, k)));
      // The blocking index holds what fuzzy matching compares (names, addresses): forgotten whole,
      // it is rebuilt from the tenant's leads, the person's gone, when dedup next needs it.
      await deps.dedupIndex?.clear(tenantId);
      const hashes = (value: string) => (value && deps.keyring ? deps.keyring.keyedHash(ERASURE_PURPOSE, value) : undefined);
      const email = hashes(s.email);
      const phone = hashes(s.phone);
      const { rows } = await db.query<{ id: string; erased_at: Date }>(
        `INSERT INTO erasure_log (tenant_id, key_prefix, email_hash, phone_hash, hash_key, counts, suppressed)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, erased_at`,
        [tenantId, keyPrefix, email?.hash ?? null, phone?.hash ?? null, (email ?? phone)?.keyId ?? null, JSON.stringify(counts), suppressed],
      );
      const id = String(rows[0]!.id);
      if (hashed) await erasedSubjects.link(tenantId, hashed.hashes, id, rows[0]!.erased_at);
      return { id, erasedAt: rows[0]!.erased_at.toISOString(), removed: counts, suppressed };
    },
  };
}

export type Erasure = ReturnType<typeof createErasure>;
