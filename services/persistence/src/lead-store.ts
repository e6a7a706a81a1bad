import { Disposition, type LeadBatch, type LeadRow } from '@leadflow/proto';
import { alternatesOf, LEAD_COLUMNS, leadIdFor, leadRecord, type DispositionCounts } from '@leadflow/pipeline';
import type { LocalCancels, SqlClient } from '@leadflow/stores';
import { addAlternateKeys } from './alternate-keys.js';
import { fileUnderLeads, matchedLeadOf, refileEarlierCopies } from './copies.js';
import { mergeIntoLeads } from './merge.js';
import { createCancelMark } from './cancel-mark.js';

export interface StoreResult {
  /** Rows this call stored for the first time, by disposition (all 0 for a redelivered batch). */
  inserted: DispositionCounts;
  /** The job became complete or failed with this batch. */
  finished: 'completed' | 'failed' | undefined;
  /** The job was cancelled: nothing of the batch was stored. */
  cancelled?: boolean;
}

export interface LeadStore {
  storeBatch(batch: LeadBatch): Promise<StoreResult>;
}

const COLUMN_NAMES = LEAD_COLUMNS.map((c) => c[0]);

const rowsWith = (batch: LeadBatch, d: Disposition): LeadRow[] => batch.rows.filter((r) => r.disposition === d);

// Each statement takes its rows as one JSON array ($1), the tenant ($2) and the job ($3); leads also the supplier ($4). The
// four tables of a row's outcome also take the name of the batch's file (the `file` column: docs/several-files.md), last.
const INSERT_LEADS = `
  INSERT INTO leads (id, tenant_id, job_id, supplier, row_number, ${COLUMN_NAMES.join(', ')}, email_key, original, extra, tags, quality_score, reasons,
                     alternates, file, consent_date)
  SELECT r.id, $2, $3, $4, r.row_number, ${COLUMN_NAMES.map((c) => `r.${c}`).join(', ')},
         r.email_key, coalesce(r.original, '{}'), coalesce(r.extra, '{}'), r.tags, r.quality_score, r.reasons,
         coalesce(r.alternates, '{"emails": [], "phones": []}'), $5, nullif(r.consent_date, '')
    FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, row_number int, ${COLUMN_NAMES.map((c) => `${c} text`).join(', ')},
         email_key text, original jsonb, extra jsonb, tags text[], quality_score real, reasons jsonb, alternates jsonb, consent_date text)
  ON CONFLICT DO NOTHING`;

const INSERT_POSSIBLE_DUPLICATES = `
  INSERT INTO possible_duplicates (lead_id, tenant_id, job_id, row_number, matched_lead_id, score, detail)
  SELECT r.lead_id, $2, $3, r.row_number, r.matched_lead_id, r.score, r.detail
    FROM jsonb_to_recordset($1::jsonb) AS r(lead_id uuid, row_number int, matched_lead_id uuid, score real, detail text)
  ON CONFLICT DO NOTHING`;

const INSERT_DUPLICATES = `
  INSERT INTO duplicate_leads (job_id, row_number, tenant_id, lead_id, email_key, matched_job_id, matched_row, matched_lead_id, match_type, score, lead, reasons,
                               file)
  SELECT $3, r.row_number, $2, r.lead_id, r.email_key, r.matched_job_id, r.matched_row, r.matched_lead_id, r.match_type, r.score, r.lead, r.reasons, $4
    FROM jsonb_to_recordset($1::jsonb) AS r(row_number int, lead_id uuid, email_key text, matched_job_id text, matched_row int, matched_lead_id uuid,
         match_type text, score real, lead jsonb, reasons jsonb)
  ON CONFLICT DO NOTHING
  RETURNING row_number`;

const INSERT_REJECTED = `
  INSERT INTO rejected_rows (job_id, row_number, tenant_id, raw, reasons, file)
  SELECT $3, r.row_number, $2, r.raw, r.reasons, $4 FROM json_to_recordset($1::json) AS r(row_number int, raw json, reasons jsonb)
  ON CONFLICT DO NOTHING`;

const INSERT_SUPPRESSED = `
  INSERT INTO suppressed_leads (job_id, row_number, tenant_id, lead, reasons, file)
  SELECT $3, r.row_number, $2, r.lead, r.reasons, $4 FROM jsonb_to_recordset($1::jsonb) AS r(row_number int, lead jsonb, reasons jsonb)
  ON CONFLICT DO NOTHING`;

/**
 * The job's rate window (migration 013): once the newer sample (rate_mark) is this old, the
 * batch makes it the older one (rate_from) and takes its place. Every right-hand side reads the
 * row as it was before this batch.
 */
const RATE_SAMPLE_SECONDS = 5;
const sampleDue = `(p.rate_mark_at IS NULL OR p.rate_mark_at <= now() - interval '${RATE_SAMPLE_SECONDS} seconds')`;
const RATE_WINDOW = `
             rate_from_at = CASE WHEN ${sampleDue} THEN p.rate_mark_at ELSE p.rate_from_at END,
             rate_from_stored = CASE WHEN ${sampleDue} THEN p.rate_mark_stored ELSE p.rate_from_stored END,
             rate_mark_at = CASE WHEN ${sampleDue} THEN now() ELSE p.rate_mark_at END,
             rate_mark_stored = CASE WHEN ${sampleDue} THEN p.stored + excluded.stored ELSE p.rate_mark_stored END`;

/**
 * A batch's counts added to its job's progress (the row made by its first batch). `completed`:
 * the row made by this statement takes `completed_at` = now() when $11 is true (the embedded
 * database's one-statement form, below).
 */
const upsertProgress = (completed = false) => `INSERT INTO job_progress AS p (job_id, tenant_id, total_rows, stored, accepted, invalid, duplicate, suppressed, failure_code, failure_message,
                                          rate_mark_at, rate_mark_stored${completed ? ', completed_at' : ''})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), $4${completed ? ', CASE WHEN $11 THEN now() END' : ''})
           ON CONFLICT (job_id) DO UPDATE SET
             ${RATE_WINDOW},
             total_rows = coalesce(excluded.total_rows, p.total_rows),
             stored = p.stored + excluded.stored,
             accepted = p.accepted + excluded.accepted,
             invalid = p.invalid + excluded.invalid,
             duplicate = p.duplicate + excluded.duplicate,
             suppressed = p.suppressed + excluded.suppressed,
             failure_code = coalesce(p.failure_code, excluded.failure_code),
             failure_message = coalesce(p.failure_message, excluded.failure_message),
             updated_at = now()`;

/** The source row by header; cells beyond the header are kept as `column N`. */
function rawRecord(header: readonly string[], cells: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  cells.forEach((cell, i) => (out[header[i] || `column ${i + 1}`] = cell));
  return out;
}

/**
 * Files every row of a batch in its table in one transaction, ignoring rows already stored,
 * and adds only what was new to the job's counters. The job completes when the rows stored
 * reach the total ingest counted, and fails when a batch carries a failure.
 */
export interface SqlLeadStoreOptions {
  /** The cancel marks this process knows without asking (local-cancels.ts): `leadflow serve` on its embedded database. */
  cancels?: LocalCancels;
}

export function createSqlLeadStore(db: SqlClient, opts: SqlLeadStoreOptions = {}): LeadStore {
  const cancelMark = createCancelMark(opts.cancels);
  return {
    storeBatch(batch) {
      const job = batch.job!;
      return db.transaction(async (tx) => {
        if (await cancelMark.isCancelled(tx, job.jobId)) return { inserted: { accepted: 0, invalid: 0, duplicate: 0, suppressed: 0 }, finished: undefined, cancelled: true };
        // The batch's file as the outputs name it: one of several, or the job's one file (none for a single lead).
        const file = job.file ?? (job.fileName || null);
        const leadIdOf = (r: LeadRow) => r.leadId || leadIdFor(job.jobId, r.rowNumber);
        const insert = async (sql: string, rows: unknown[], ...more: unknown[]) =>
          rows.length === 0 ? 0 : (await tx.query(sql, [JSON.stringify(rows), job.tenantId, job.jobId, ...more])).rowCount;
        /**
         * Files the duplicates, then merges each one stored for the first time into its lead, and
         * files under that lead the copies stored earlier that named one of these rows.
         */
        const insertDuplicates = async (dups: LeadRow[]) => {
          if (dups.length === 0) return 0;
          const rows = dups.map((r) => ({
            row_number: r.rowNumber,
            lead_id: leadIdOf(r),
            email_key: emailKeyOf(r),
            matched_job_id: r.match?.matchedJobId ?? '',
            matched_row: r.match?.matchedRow || null,
            matched_lead_id: r.match?.matchedLeadId || null,
            match_type: r.match?.matchType ?? '',
            score: r.match?.score ?? 0,
            lead: leadRecord(r.lead),
            reasons: r.reasons,
          }));
          const fresh = new Set((await tx.query<{ row_number: number }>(INSERT_DUPLICATES, [JSON.stringify(rows), job.tenantId, job.jobId, file])).rows.map((r) => r.row_number));
          const stored = dups.filter((r) => fresh.has(r.rowNumber));
          await mergeIntoLeads(
            tx,
            job.tenantId,
            stored.map((r) => ({
              jobId: job.jobId, rowNumber: r.rowNumber, leadId: matchedLeadOf(r),
              fields: { ...leadRecord(r.lead), email_key: emailKeyOf(r) }, alternates: alternatesOf(r.lead),
            })),
          );
          await refileEarlierCopies(tx, job.tenantId, stored.map((r) => ({ jobId: job.jobId, rowNumber: r.rowNumber, leadId: leadIdOf(r), match: r.match! })));
          return fresh.size;
        };

        // A row may name a row that another dedup replica found a duplicate at the same moment: its lead is the one that row names.
        await fileUnderLeads(tx, job, batch.rows);

        const inserted: DispositionCounts = {
          accepted: await insert(
            INSERT_LEADS,
            rowsWith(batch, Disposition.DISPOSITION_ACCEPTED).map((r) => ({
              id: r.leadId, row_number: r.rowNumber, ...leadRecord(r.lead), email_key: emailKeyOf(r), original: r.lead?.original ?? {}, tags: r.tags,
              quality_score: r.qualityScore, reasons: r.reasons, consent_date: r.lead?.consentDate ?? '',
            })),
            job.supplier,
            file,
          ),
          duplicate: await insertDuplicates(rowsWith(batch, Disposition.DISPOSITION_DUPLICATE)),
          invalid: await insert(
            INSERT_REJECTED,
            rowsWith(batch, Disposition.DISPOSITION_INVALID).map((r) => ({
              row_number: r.rowNumber, raw: rawRecord(batch.header, r.raw), reasons: r.reasons,
            })),
            file,
          ),
          suppressed: await insert(
            INSERT_SUPPRESSED,
            rowsWith(batch, Disposition.DISPOSITION_SUPPRESSED).map((r) => ({
              row_number: r.rowNumber, lead: leadRecord(r.lead), reasons: r.reasons,
            })),
            file,
          ),
        };
        await addAlternateKeys(
          tx,
          job.tenantId,
          rowsWith(batch, Disposition.DISPOSITION_ACCEPTED).map((r) => ({ leadId: leadIdOf(r), alternates: alternatesOf(r.lead) })),
        );
        // Leads flagged as possible duplicates wait for a person's decision (possible-duplicates.ts).
        await insert(
          INSERT_POSSIBLE_DUPLICATES,
          rowsWith(batch, Disposition.DISPOSITION_ACCEPTED)
            .filter((r) => r.match?.matchType === 'possible')
            .map((r) => ({
              lead_id: r.leadId, row_number: r.rowNumber, score: r.match!.score,
              matched_lead_id: matchedLeadOf(r),
              detail: r.reasons.find((x) => x.code === 'POSSIBLE_DUPLICATE')?.detail ?? '',
            })),
        );
        const stored = inserted.accepted + inserted.duplicate + inserted.invalid + inserted.suppressed;
        const progress = [
          job.jobId, job.tenantId, batch.last ? batch.totalRows : null, stored,
          inserted.accepted, inserted.invalid, inserted.duplicate, inserted.suppressed,
          batch.failure?.code ?? null, batch.failure?.message ?? null,
        ];
        if (tx.kind === 'pglite') {
          // One statement: PGlite runs one transaction at a time, so the row as this statement
          // first reads it (`before`) is the one it changes, and "ended by this batch" is exact.
          // A row made now ends as the UPDATE below would end it: failed, or every row stored.
          const total = batch.last ? batch.totalRows : null;
          const endsNew = progress[8] !== null || (total !== null && stored >= total);
          const { rows } = await tx.query<{ finished: 'completed' | 'failed' | null }>(
            `WITH before AS (SELECT completed_at FROM job_progress WHERE job_id = $1),
             up AS (${upsertProgress(true)},
                 completed_at = CASE WHEN p.completed_at IS NOT NULL THEN p.completed_at
                   WHEN coalesce(p.failure_code, excluded.failure_code) IS NOT NULL
                     OR (coalesce(excluded.total_rows, p.total_rows) IS NOT NULL AND p.stored + excluded.stored >= coalesce(excluded.total_rows, p.total_rows))
                   THEN now() END
               RETURNING completed_at, failure_code)
             SELECT CASE WHEN up.completed_at IS NULL OR EXISTS (SELECT 1 FROM before WHERE completed_at IS NOT NULL) THEN NULL
                         WHEN up.failure_code IS NULL THEN 'completed' ELSE 'failed' END AS finished
               FROM up`,
            [...progress, endsNew],
          );
          return { inserted, finished: rows[0]?.finished ?? undefined };
        }
        await tx.query(upsertProgress(), progress);
        const { rows } = await tx.query<{ finished: 'completed' | 'failed' }>(
          `UPDATE job_progress SET completed_at = now()
            WHERE job_id = $1 AND completed_at IS NULL
              AND (failure_code IS NOT NULL OR (total_rows IS NOT NULL AND stored >= total_rows))
           RETURNING CASE WHEN failure_code IS NULL THEN 'completed' ELSE 'failed' END AS finished`,
          [job.jobId],
        );
        return { inserted, finished: rows[0]?.finished ?? undefined };
      });
    },
  };
}

/** The row's canonical email key (mapping's), else its email; null without one. */
const emailKeyOf = (r: LeadRow) => r.lead?.emailKey || r.lead?.email || null;
