import { alternateKeys, type Alternates } from '@leadflow/pipeline';
import type { SqlClient } from '@leadflow/stores';

// lead_alternate_keys: a lead's alternates as dedup's exact keys, one row each (migration 012), so
// that a row whose phone is another lead's alternate is found as fast as one whose phone is its
// phone. Written wherever leads.alternates changes: when a lead is stored, merged into, reverted.

/** Adds the keys of alternates leads gained (their row's own, or a merge's); keys already there stay. */
export async function addAlternateKeys(tx: SqlClient, tenantId: string, leads: readonly { leadId: string; alternates: Alternates }[]): Promise<void> {
  const keys = leads.flatMap(({ leadId, alternates }) => alternateKeys(alternates).map((key) => ({ key, lead_id: leadId })));
  if (keys.length === 0) return;
  await tx.query(
    `INSERT INTO lead_alternate_keys (tenant_id, key, lead_id)
     SELECT $1, k.key, l.id FROM jsonb_to_recordset($2::jsonb) AS k(key text, lead_id uuid) JOIN leads l ON l.id = k.lead_id
     ON CONFLICT DO NOTHING`,
    [tenantId, JSON.stringify(keys)],
  );
}

/** Removes the keys of alternates a lead lost, unless another alternate it keeps has the same key. */
export async function removeAlternateKeys(tx: SqlClient, tenantId: string, leadId: string, lost: Alternates, kept: Alternates): Promise<void> {
  const still = new Set(alternateKeys(kept));
  const gone = alternateKeys(lost).filter((k) => !still.has(k));
  if (gone.length === 0) return;
  await tx.query('DELETE FROM lead_alternate_keys WHERE tenant_id = $1 AND lead_id = $2 AND key = ANY($3::text[])', [tenantId, leadId, gone]);
}
