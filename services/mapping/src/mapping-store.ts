import type { SqlClient } from '@leadflow/stores';
import { foldHeader } from './header-names.js';
import type { ColumnDecision, MappedField } from './map-columns.js';
import type { Learned } from './supplier-mapping.js';

/** automatic: mapped without review; awaiting_review: rows held until a person decides; confirmed: decided. */
export type MappingStatus = 'automatic' | 'awaiting_review' | 'confirmed';

/** A row as the proposed mapping reads it, shown to the person who reviews the mapping. */
export interface PreviewRow {
  rowNumber: number;
  /** The cells as sent, by source header. */
  cells: Record<string, string>;
  /** The lead's non-empty fields after mapping and cleaning, by canonical field name. */
  fields: Record<string, string>;
}

export interface JobMapping {
  columns: ColumnDecision[];
  status: MappingStatus;
  preview: PreviewRow[];
}

type JobKey = { jobId: string; tenantId: string; supplier: string; fileIndex?: number };

/** One file's mapping in a job of several files (the first file's too), with its own review state. */
export interface FileMapping extends JobMapping {
  /** The file's 0-based position in the upload. */
  fileIndex: number;
}

/** Where mappings are kept: each job's, the suppliers' confirmed ones, and the rows of jobs in review. */
export interface MappingStore {
  /**
   * The job's mapping (its status the job's: awaiting_review until every file is decided); with
   * `fileIndex` above 0, that of the upload's file at that position (docs/several-files.md: each
   * file's header is mapped, and reviewed, on its own), its status the file's.
   */
  jobMapping(jobId: string, fileIndex?: number): Promise<JobMapping | undefined>;
  /** Keeps the first mapping saved for a job (or for its file `job.fileIndex`); returns the one kept. */
  saveJobMapping(job: JobKey, mapping: JobMapping): Promise<JobMapping>;
  /**
   * A job of one batch (a single lead): saves its mapping and counts its rows mapped by it in one
   * statement, as saveJobMapping then countMapped would. False, and nothing done, when the job has
   * a mapping already (the batch redelivered).
   */
  saveCountedJobMapping(job: JobKey, mapping: JobMapping, counts: MappedCounts): Promise<boolean>;
  /**
   * Adds columns at the end of a job's mapping (a stream of records whose later ones brought new
   * keys); a mapping already as long is kept as it is. Returns the columns kept.
   */
  growJobMapping(jobId: string, columns: ColumnDecision[], fileIndex?: number): Promise<ColumnDecision[]>;
  /** Every file's mapping saved so far, in upload order, each with its own status (the first file's too). */
  fileMappings(jobId: string): Promise<FileMapping[]>;
  /** Records a person's decision on one file's mapping; the job stays in review until releaseJob. */
  confirmFileMapping(jobId: string, fileIndex: number, columns: ColumnDecision[]): Promise<void>;
  /**
   * Puts a job in review whose first file had nothing to review (no rows) once a further file
   * does: the first file's own status stays automatic.
   */
  holdJob(jobId: string): Promise<void>;
  /** Ends a job's review: every file is decided and its rows go on. */
  releaseJob(jobId: string): Promise<void>;
  /** The supplier's confirmed mappings by folded header. */
  confirmed(tenantId: string, supplier: string): Promise<Map<string, MappedField>>;
  /** Adds to the supplier's confirmed mappings (a header confirmed again takes the new field), saying how they were learned. */
  confirm(tenantId: string, supplier: string, mappings: { header: string; field: MappedField }[], learned: Learned): Promise<void>;
  /** Holds a batch of a job in review (idempotent on the job and seq). */
  park(jobId: string, seq: number, batch: Uint8Array): Promise<void>;
  /** A job's held batches in seq order. */
  parked(jobId: string): Promise<{ seq: number; batch: Uint8Array }[]>;
  /** Forgets held batches once they went downstream. */
  unpark(jobId: string, seqs: readonly number[]): Promise<void>;
  /**
   * Counts rows mapped for the job's status: once per batch, `upTo` being the last seq they
   * came in (a batch redelivered, its seq not above the last counted, adds nothing).
   */
  countMapped(jobId: string, counts: MappedCounts): Promise<void>;
  /** The job's rows as ingest counted them, carried by its last batch. */
  setTotal(jobId: string, totalRows: number): Promise<void>;
}

export interface MappedCounts {
  upTo: number;
  rows: number;
  invalid: number;
  /** The job's rows as ingest counted them, when these batches include its last: set as setTotal sets it, in the same statement. */
  totalRows?: number;
}

/** Rows of supplier_mappings: keyed by the folded header, beside the header as written. */
export const foldedEntries = (mappings: readonly { header: string; field: MappedField }[]) =>
  mappings.map((m) => ({ header: foldHeader(m.header), field: m.field, source: m.header }));

export function createSqlMappingStore(db: SqlClient): MappingStore {
  return {
    async jobMapping(jobId, fileIndex) {
      if (fileIndex) {
        const { rows } = await db.query<JobMapping>(
          'SELECT columns, status, preview FROM job_file_mappings WHERE job_id = $1 AND file_index = $2', [jobId, fileIndex],
        );
        return rows[0];
      }
      const { rows } = await db.query<JobMapping>('SELECT columns, status, preview FROM job_mappings WHERE job_id = $1', [jobId]);
      return rows[0];
    },
    async saveJobMapping(job, mapping) {
      if (job.fileIndex) {
        await db.query(
          `INSERT INTO job_file_mappings (job_id, file_index, tenant_id, columns, status, preview) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (job_id, file_index) DO NOTHING`,
          [job.jobId, job.fileIndex, job.tenantId, JSON.stringify(mapping.columns), mapping.status, JSON.stringify(mapping.preview)],
        );
        return (await this.jobMapping(job.jobId, job.fileIndex)) ?? mapping;
      }
      // The row it made, or when there was one already (a batch redelivered), the one kept.
      const { rows } = await db.query<JobMapping>(
        `INSERT INTO job_mappings (job_id, tenant_id, supplier, columns, status, preview) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (job_id) DO NOTHING RETURNING columns, status, preview`,
        [job.jobId, job.tenantId, job.supplier, JSON.stringify(mapping.columns), mapping.status, JSON.stringify(mapping.preview)],
      );
      return rows[0] ?? (await this.jobMapping(job.jobId)) ?? mapping;
    },
    async saveCountedJobMapping(job, mapping, counts) {
      const { rows } = await db.query(
        `INSERT INTO job_mappings (job_id, tenant_id, supplier, columns, status, preview, rows_mapped, rows_invalid, counted_seq, total_rows)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (job_id) DO NOTHING RETURNING job_id`,
        [
          job.jobId, job.tenantId, job.supplier, JSON.stringify(mapping.columns), mapping.status, JSON.stringify(mapping.preview),
          counts.rows, counts.invalid, counts.upTo, counts.totalRows ?? null,
        ],
      );
      return rows.length === 1;
    },
    async growJobMapping(jobId, columns, fileIndex) {
      if (fileIndex) {
        const { rows } = await db.query<{ columns: ColumnDecision[] }>(
          `UPDATE job_file_mappings SET columns = CASE WHEN jsonb_array_length(columns) < $4 THEN $3::jsonb ELSE columns END
            WHERE job_id = $1 AND file_index = $2 RETURNING columns`,
          [jobId, fileIndex, JSON.stringify(columns), columns.length],
        );
        return rows[0]?.columns ?? columns;
      }
      const { rows } = await db.query<{ columns: ColumnDecision[] }>(
        `UPDATE job_mappings SET columns = CASE WHEN jsonb_array_length(columns) < $3 THEN $2::jsonb ELSE columns END
          WHERE job_id = $1 RETURNING columns`,
        [jobId, JSON.stringify(columns), columns.length],
      );
      return rows[0]?.columns ?? columns;
    },
    async fileMappings(jobId) {
      const { rows } = await db.query<FileMapping>(
        `SELECT 0 AS "fileIndex", columns, coalesce(file_status, status) AS status, preview FROM job_mappings WHERE job_id = $1
         UNION ALL
         SELECT file_index, columns, status, preview FROM job_file_mappings WHERE job_id = $1
         ORDER BY 1`,
        [jobId],
      );
      return rows;
    },
    async confirmFileMapping(jobId, fileIndex, columns) {
      if (fileIndex) {
        await db.query("UPDATE job_file_mappings SET columns = $3, status = 'confirmed' WHERE job_id = $1 AND file_index = $2", [jobId, fileIndex, JSON.stringify(columns)]);
      } else {
        await db.query("UPDATE job_mappings SET columns = $2, file_status = 'confirmed' WHERE job_id = $1", [jobId, JSON.stringify(columns)]);
      }
    },
    async holdJob(jobId) {
      await db.query("UPDATE job_mappings SET status = 'awaiting_review', file_status = 'automatic' WHERE job_id = $1 AND status = 'automatic'", [jobId]);
    },
    async releaseJob(jobId) {
      await db.query("UPDATE job_mappings SET status = 'confirmed' WHERE job_id = $1 AND status = 'awaiting_review'", [jobId]);
    },
    async confirmed(tenantId, supplier) {
      if (!supplier) return new Map();
      const { rows } = await db.query<{ header: string; field: MappedField }>(
        'SELECT header, field FROM supplier_mappings WHERE tenant_id = $1 AND supplier = $2',
        [tenantId, supplier],
      );
      return new Map(rows.map((r) => [r.header, r.field]));
    },
    async confirm(tenantId, supplier, mappings, learned) {
      await db.query(
        `INSERT INTO supplier_mappings (tenant_id, supplier, header, field, source_header, learned_by, job_id)
         SELECT $1, $2, m.header, m.field, m.source, $4, $5 FROM jsonb_to_recordset($3::jsonb) AS m(header text, field text, source text)
         ON CONFLICT (tenant_id, supplier, header) DO UPDATE
           SET field = excluded.field, source_header = excluded.source_header, learned_by = excluded.learned_by, job_id = excluded.job_id, confirmed_at = now()`,
        [tenantId, supplier, JSON.stringify(foldedEntries(mappings)), learned.by, learned.by === 'review' ? learned.jobId : null],
      );
    },
    async park(jobId, seq, batch) {
      await db.query('INSERT INTO parked_batches (job_id, seq, batch) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [jobId, seq, batch]);
    },
    async parked(jobId) {
      const { rows } = await db.query<{ seq: number; batch: Uint8Array }>('SELECT seq, batch FROM parked_batches WHERE job_id = $1 ORDER BY seq', [jobId]);
      return rows;
    },
    async unpark(jobId, seqs) {
      if (seqs.length > 0) await db.query('DELETE FROM parked_batches WHERE job_id = $1 AND seq = ANY($2::int[])', [jobId, seqs]);
    },
    async countMapped(jobId, counts) {
      // The total is set whether or not the rows were counted before, as setTotal sets it.
      await db.query(
        `UPDATE job_mappings SET
            rows_mapped = CASE WHEN counted_seq < $2 THEN rows_mapped + $3 ELSE rows_mapped END,
            rows_invalid = CASE WHEN counted_seq < $2 THEN rows_invalid + $4 ELSE rows_invalid END,
            counted_seq = greatest(counted_seq, $2),
            total_rows = coalesce($5, total_rows)
          WHERE job_id = $1 AND (counted_seq < $2 OR $5::int IS NOT NULL)`,
        [jobId, counts.upTo, counts.rows, counts.invalid, counts.totalRows ?? null],
      );
    },
    async setTotal(jobId, totalRows) {
      await db.query('UPDATE job_mappings SET total_rows = $2 WHERE job_id = $1', [jobId, totalRows]);
    },
  };
}

/** The same store in memory, for a stage without a database (tests, `leadflow map`). */
export function createMemoryMappingStore(): MappingStore {
  const jobs = new Map<string, JobMapping>();
  /** The first file's own status where it differs from its job's (job_mappings.file_status). */
  const firstFileStatus = new Map<string, MappingStatus>();
  const suppliers = new Map<string, Map<string, MappedField>>();
  const parked = new Map<string, Map<number, Uint8Array>>();
  const supplierKey = (tenantId: string, supplier: string) => JSON.stringify([tenantId, supplier]);
  const fileKey = (jobId: string, fileIndex?: number) => (fileIndex ? `${jobId}#${fileIndex}` : jobId);
  return {
    async jobMapping(jobId, fileIndex) {
      return jobs.get(fileKey(jobId, fileIndex));
    },
    async saveJobMapping(job, mapping) {
      const key = fileKey(job.jobId, job.fileIndex);
      if (!jobs.has(key)) jobs.set(key, structuredClone(mapping));
      return jobs.get(key)!;
    },
    async saveCountedJobMapping(job, mapping) {
      if (jobs.has(fileKey(job.jobId, job.fileIndex))) return false;
      await this.saveJobMapping(job, mapping);
      return true;
    },
    async growJobMapping(jobId, columns, fileIndex) {
      const key = fileKey(jobId, fileIndex);
      const job = jobs.get(key);
      if (job && job.columns.length < columns.length) jobs.set(key, { ...job, columns: structuredClone(columns) });
      return jobs.get(key)?.columns ?? columns;
    },
    async fileMappings(jobId) {
      const files: FileMapping[] = [];
      for (const [key, mapping] of jobs) {
        const [id, index] = key.split('#');
        if (id !== jobId) continue;
        const fileIndex = Number(index ?? 0);
        files.push({ ...mapping, fileIndex, status: (fileIndex === 0 && firstFileStatus.get(jobId)) || mapping.status });
      }
      return files.sort((a, b) => a.fileIndex - b.fileIndex);
    },
    async confirmFileMapping(jobId, fileIndex, columns) {
      const key = fileKey(jobId, fileIndex);
      const mapping = jobs.get(key);
      if (!mapping) return;
      if (fileIndex) jobs.set(key, { ...mapping, columns, status: 'confirmed' });
      else {
        jobs.set(key, { ...mapping, columns });
        firstFileStatus.set(jobId, 'confirmed');
      }
    },
    async holdJob(jobId) {
      const mapping = jobs.get(jobId);
      if (mapping?.status !== 'automatic') return;
      jobs.set(jobId, { ...mapping, status: 'awaiting_review' });
      firstFileStatus.set(jobId, 'automatic');
    },
    async releaseJob(jobId) {
      const mapping = jobs.get(jobId);
      if (mapping?.status === 'awaiting_review') jobs.set(jobId, { ...mapping, status: 'confirmed' });
    },
    async confirmed(tenantId, supplier) {
      return new Map(supplier ? suppliers.get(supplierKey(tenantId, supplier)) : undefined);
    },
    async confirm(tenantId, supplier, mappings) {
      const key = supplierKey(tenantId, supplier);
      const known = suppliers.get(key) ?? new Map<string, MappedField>();
      for (const m of mappings) known.set(foldHeader(m.header), m.field);
      suppliers.set(key, known);
    },
    async park(jobId, seq, batch) {
      const held = parked.get(jobId) ?? new Map<number, Uint8Array>();
      if (!held.has(seq)) held.set(seq, batch);
      parked.set(jobId, held);
    },
    async parked(jobId) {
      return [...(parked.get(jobId) ?? [])].sort(([a], [b]) => a - b).map(([seq, batch]) => ({ seq, batch }));
    },
    async unpark(jobId, seqs) {
      const held = parked.get(jobId);
      for (const seq of seqs) held?.delete(seq);
      if (held?.size === 0) parked.delete(jobId);
    },
    // Nothing reads a job's counts without a database (`leadflow map` has no job status).
    async countMapped() {},
    async setTotal() {},
  };
}
