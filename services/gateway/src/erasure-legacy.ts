import type { Logger } from '@leadflow/logger';
import type { Keyring } from '@leadflow/secrets';
import { createSqlErasedSubjects, ERASED_PURPOSES, type DncRegistry, type ErasedHash, type ErasedKind, type SqlClient } from '@leadflow/stores';
import { ERASURE_PURPOSE } from './erasure.js';

/** How the list entries moved are removed: a change list of deletions, as the tenant would send it. */
const SOURCE = 'erasure kept as keyed hashes';

/**
 * Erasures made before persons were kept as keyed hashes (docs/erasure.md, "Erasures made
 * before") added the email and phone in clear to the tenant's suppression lists. Such an entry is
 * told from the tenant's own by the erasure log's hash of the person (purpose erasure-subject,
 * under `hash_key`): each entry of a tenant with such a log row is hashed and compared. A match is
 * recorded in erased_subjects (dated and linked to the erasure) and deleted from the list (and its
 * Redis copy, through the registry). Run at the gateway's start; an erasure already moved (one
 * hash linked to it) is not looked at again. Logs without a hash, or under a key no longer held,
 * cannot be told apart: their entries stay, and are counted in the answer.
 */
export async function moveClearErasures(deps: { db: SqlClient; dnc: DncRegistry; keyring: Keyring; logger?: Logger }): Promise<{ moved: number; unreadable: number }> {
  const { db, keyring } = deps;
  const { rows: present } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM unnest(ARRAY['erasure_log', 'erased_subjects', 'dnc_lists']) t WHERE to_regclass(t) IS NOT NULL");
  if (present[0]!.n < 3) return { moved: 0, unreadable: 0 };
  const { rows: logs } = await db.query<{ id: string; tenant_id: string; erased_at: Date; email_hash: Buffer | null; phone_hash: Buffer | null; hash_key: string | null }>(
    `SELECT l.id::text AS id, l.tenant_id, l.erased_at, l.email_hash, l.phone_hash, l.hash_key FROM erasure_log l
      WHERE l.suppressed && ARRAY['suppression:email', 'suppression:phone']
        AND NOT EXISTS (SELECT 1 FROM erased_subjects s WHERE s.tenant_id = l.tenant_id AND s.erasure_id = l.id)
      ORDER BY l.id`,
  );
  const subjects = createSqlErasedSubjects(db);
  let moved = 0;
  let unreadable = 0;
  const byTenant = new Map<string, typeof logs>();
  for (const l of logs) {
    if (!l.hash_key || !keyring.holds(l.hash_key)) {
      unreadable++;
      continue;
    }
    byTenant.set(l.tenant_id, [...(byTenant.get(l.tenant_id) ?? []), l]);
  }
  for (const [tenantId, tenantLogs] of byTenant) {
    const { rows: entries } = await db.query<{ kind: string; value: string }>(
      `SELECT l.kind, n.phone AS value FROM dnc_lists l JOIN dnc_list_numbers n ON n.list_id = l.list_id AND n.generation = l.generation
        WHERE l.owner = $1 AND l.kind IN ('suppression:email', 'suppression:phone')`,
      [tenantId],
    );
    const gone: Record<'suppression:email' | 'suppression:phone', string[]> = { 'suppression:email': [], 'suppression:phone': [] };
    for (const e of entries) {
      const kind: ErasedKind = e.kind === 'suppression:email' ? 'email' : 'phone';
      const mine = new Map(keyring.keyedHashes(ERASURE_PURPOSE, e.value).map((h) => [h.keyId, h.hash]));
      const log = tenantLogs.find((l) => {
        const h = mine.get(l.hash_key!);
        const logged = kind === 'email' ? l.email_hash : l.phone_hash;
        return h !== undefined && logged !== null && Buffer.from(logged).equals(h);
      });
      if (!log) continue;
      const hash: ErasedHash = { kind, ...keyring.keyedHash(ERASED_PURPOSES[kind], e.value) };
      await subjects.add(tenantId, [hash], log.id, log.erased_at);
      gone[e.kind as keyof typeof gone].push(e.value);
    }
    for (const [kind, values] of Object.entries(gone) as [keyof typeof gone, string[]][]) {
      if (values.length === 0) continue;
      await deps.dnc.load(
        { kind, owner: tenantId, mode: 'changes', source: SOURCE, normalize: (t) => (/^\+\d{6,15}$/.test(t) ? t : undefined) },
        (async function* () {
          yield { name: 'erasure', chunks: (async function* () { yield Buffer.from(values.map((v) => `${v},D\n`).join('')); })() };
        })(),
      );
      moved += values.length;
    }
  }
  if (moved > 0 || unreadable > 0) deps.logger?.info({ moved, unreadable }, 'suppression entries of earlier erasures moved to keyed hashes');
  return { moved, unreadable };
}
