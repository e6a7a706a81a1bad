import { Disposition, Lead, LeadRow, RowBatch } from '@leadflow/proto';
import { reason } from '@leadflow/pipeline';
import type { SqlClient } from '@leadflow/stores';
import { blankMentions, mentions, subjectParams, jsonMentions, type Subject } from './erasure-match.js';

/**
 * What erasure does to the places that hold a person's data as protobuf or as samples, rather
 * than as rows of their own (docs/erasure.md). Each runs inside the erasure's transaction, on
 * tables that exist (`has`).
 */

/**
 * Rows the dnc stage holds for a stale list (dnc_held_rows): a row of the person keeps its place
 * (its job counts it) but loses its lead and cells, and is marked SUPPRESSED (SUPPRESSED_EMAIL or
 * SUPPRESSED_PHONE, "erased on request"): when released it is filed as a suppressed row with no data.
 */
export async function eraseHeldRows(tx: SqlClient, tenantId: string, s: Subject): Promise<number> {
  const { rows } = await tx.query<{ job_id: string; row_number: number; lead_row: Uint8Array }>(
    'SELECT job_id, row_number, lead_row FROM dnc_held_rows WHERE tenant_id = $1',
    [tenantId],
  );
  let erased = 0;
  for (const r of rows) {
    const row = LeadRow.decode(r.lead_row);
    if (!mentions(s, JSON.stringify(LeadRow.toJSON(row)))) continue;
    const blank = LeadRow.fromPartial({
      rowNumber: row.rowNumber,
      leadId: row.leadId,
      lead: Lead.fromPartial({}),
      disposition: Disposition.DISPOSITION_SUPPRESSED,
      reasons: [s.email ? reason('SUPPRESSED_EMAIL', 'email', 'erased on request') : reason('SUPPRESSED_PHONE', 'phone', 'erased on request')],
    });
    await tx.query('UPDATE dnc_held_rows SET lead_row = $3 WHERE job_id = $1 AND row_number = $2', [r.job_id, r.row_number, LeadRow.encode(blank).finish()]);
    erased++;
  }
  return erased;
}

/**
 * Batches parked for a mapping review (parked_batches, RowBatch): a row of the person keeps its
 * place with every cell emptied (it is then rejected as a row with no data, its job complete).
 */
export async function eraseParkedRows(tx: SqlClient, tenantId: string, s: Subject): Promise<number> {
  const { rows } = await tx.query<{ job_id: string; seq: number; batch: Uint8Array }>(
    'SELECT job_id, seq, batch FROM parked_batches WHERE job_id IN (SELECT id::text FROM jobs WHERE tenant_id = $1)',
    [tenantId],
  );
  let erased = 0;
  for (const r of rows) {
    const batch = RowBatch.decode(r.batch);
    let changed = 0;
    for (const row of batch.rows) {
      if (!row.cells.some((c) => mentions(s, c))) continue;
      row.cells = row.cells.map(() => '');
      changed++;
    }
    if (changed === 0) continue;
    await tx.query('UPDATE parked_batches SET batch = $3 WHERE job_id = $1 AND seq = $2', [r.job_id, r.seq, RowBatch.encode(batch).finish()]);
    erased += changed;
  }
  return erased;
}

/** The samples of a job's columns kept with its mapping (job_mappings, job_file_mappings): each value of the person emptied. */
export async function eraseMappingSamples(tx: SqlClient, tenantId: string, s: Subject, has: (table: string) => boolean): Promise<number> {
  let blanked = 0;
  const places: [string, string, string[]][] = [
    ['job_mappings', 'job_id', ['columns', 'preview']],
    ['job_file_mappings', "job_id || ':' || file_index", ['columns']],
  ];
  for (const [table, key, columns] of places) {
    if (!has(table)) continue;
    const { rows } = await tx.query<Record<string, unknown> & { k: string }>(
      `SELECT ${key} AS k, ${columns.join(', ')} FROM ${table} t WHERE t.tenant_id = $1 AND ${jsonMentions('to_jsonb(t)')}`,
      [tenantId, ...subjectParams(s)],
    );
    for (const r of rows) {
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const c of columns) {
        const out = blankMentions(s, r[c]);
        if (out.blanked === 0) continue;
        blanked += out.blanked;
        values.push(JSON.stringify(out.value));
        sets.push(`${c} = $${values.length + 2}::jsonb`);
      }
      if (sets.length > 0) await tx.query(`UPDATE ${table} SET ${sets.join(', ')} WHERE tenant_id = $1 AND ${key} = $2`, [tenantId, r.k, ...values]);
    }
  }
  return blanked;
}

/**
 * The person's delivery events (delivery_events, the outbox, pending ones too) and their attempts:
 * an event of theirs alone is deleted with its attempts; an event that carries other leads too
 * (batch mode) keeps them and loses the person's. A pending event's leads leave its job's
 * `pending` count. Answers events deleted or changed, and attempts deleted.
 */
export async function eraseDeliveryEvents(
  tx: SqlClient,
  tenantId: string,
  s: Subject,
  leadIds: ReadonlySet<string>,
): Promise<{ events: number; attempts: number }> {
  const { rows } = await tx.query<{ id: string; status: string; job_id: string | null; payload: Record<string, unknown> }>(
    `SELECT id, status, job_id, payload FROM delivery_events t
      WHERE t.tenant_id = $1 AND (${jsonMentions('t.payload')} OR t.payload->>'id' = ANY($6::text[])
        OR EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(t.payload->'leads') = 'array' THEN t.payload->'leads' ELSE '[]' END) l WHERE l->>'id' = ANY($6::text[])))`,
    [tenantId, ...subjectParams(s), [...leadIds]],
  );
  let events = 0;
  let attempts = 0;
  const theirs = (lead: unknown) => leadIds.has(String((lead as { id?: unknown })?.id ?? '')) || mentions(s, JSON.stringify(lead));
  for (const e of rows) {
    const leads = Array.isArray(e.payload.leads) ? (e.payload.leads as unknown[]) : undefined;
    const kept = leads?.filter((l) => !theirs(l));
    const { leads: _leads, ...rest } = e.payload;
    const restMentions = leads !== undefined && mentions(s, JSON.stringify(rest));
    const gone = leads ? leads.length - kept!.length : 1;
    if (!leads || kept!.length === 0 || restMentions) {
      attempts += (await tx.query('DELETE FROM delivery_attempts WHERE event_id = $1', [e.id])).rowCount ?? 0;
      await tx.query('DELETE FROM delivery_events WHERE id = $1', [e.id]);
    } else {
      await tx.query('UPDATE delivery_events SET payload = $2::jsonb, lead_count = $3, updated_at = now() WHERE id = $1', [e.id, JSON.stringify({ ...e.payload, leads: kept }), kept!.length]);
      const { rows: errs } = await tx.query<{ attempt: number; error: string | null }>('SELECT attempt, error FROM delivery_attempts WHERE event_id = $1', [e.id]);
      for (const a of errs) {
        if (a.error && mentions(s, a.error)) attempts += (await tx.query('DELETE FROM delivery_attempts WHERE event_id = $1 AND attempt = $2', [e.id, a.attempt])).rowCount ?? 0;
      }
    }
    if (e.status === 'pending' && e.job_id) {
      await tx.query('UPDATE delivery_progress SET pending = GREATEST(pending - $2, 0), updated_at = now() WHERE job_id = $1', [e.job_id, gone]);
    }
    events++;
  }
  return { events, attempts };
}
