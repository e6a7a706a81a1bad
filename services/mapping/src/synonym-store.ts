import { randomUUID } from 'node:crypto';
import { isUuid } from '@leadflow/pipeline';
import type { SqlClient } from '@leadflow/stores';
import type { FieldSynonyms } from './alias-table.js';

/** A tenant's synonyms now: `version` 0 and none before the first change. */
export interface SynonymSet {
  synonyms: FieldSynonyms;
  version: number;
  /** ISO 8601; null before the first change. */
  updatedAt: string | null;
}

export interface SynonymBackup {
  id: string;
  /** ISO 8601. */
  createdAt: string;
  /** The version of the synonyms it holds. */
  version: number;
  synonyms: FieldSynonyms;
}

/** Backups kept per tenant: a new one beyond these drops the oldest (as Grafana keeps a dashboard's last versions). */
export const KEPT_BACKUPS = 50;

/** Where tenants' header synonyms and their backups are kept (tables mapping_synonyms, mapping_synonym_backups). */
export interface SynonymStore {
  get(tenantId: string): Promise<SynonymSet>;
  /** The tenant's synonyms when their version is not `known`, else undefined: what a mapping replica polls. */
  changedSince(tenantId: string, known: number): Promise<SynonymSet | undefined>;
  /** Replaces the tenant's synonyms (checked by validateSynonyms) and moves the version on. */
  set(tenantId: string, synonyms: FieldSynonyms): Promise<SynonymSet>;
  /** Snapshots the tenant's synonyms as they are. */
  backup(tenantId: string): Promise<SynonymBackup>;
  /** The tenant's backups, newest first. */
  backups(tenantId: string): Promise<SynonymBackup[]>;
  /** One of the tenant's backups; another tenant's, or no such id, is undefined. */
  findBackup(tenantId: string, id: string): Promise<SynonymBackup | undefined>;
}

interface SetRow {
  synonyms: FieldSynonyms;
  version: string | number;
  updated_at: Date | string;
}
interface BackupRow {
  id: string;
  created_at: Date | string;
  version: string | number;
  synonyms: FieldSynonyms;
}

const NONE: SynonymSet = { synonyms: {}, version: 0, updatedAt: null };
const setOf = (r: SetRow): SynonymSet => ({ synonyms: r.synonyms, version: Number(r.version), updatedAt: new Date(r.updated_at).toISOString() });
const backupOf = (r: BackupRow): SynonymBackup => ({ id: r.id, createdAt: new Date(r.created_at).toISOString(), version: Number(r.version), synonyms: r.synonyms });

export function createSqlSynonymStore(db: SqlClient): SynonymStore {
  return {
    async get(tenantId) {
      const { rows } = await db.query<SetRow>('SELECT synonyms, version, updated_at FROM mapping_synonyms WHERE tenant_id = $1', [tenantId]);
      return rows[0] ? setOf(rows[0]) : NONE;
    },
    async changedSince(tenantId, known) {
      // One round trip; the synonyms travel only when the version moved.
      const { rows } = await db.query<{ version: string; synonyms: FieldSynonyms | null; updated_at: Date }>(
        'SELECT version, CASE WHEN version <> $2 THEN synonyms END AS synonyms, updated_at FROM mapping_synonyms WHERE tenant_id = $1',
        [tenantId, known],
      );
      const row = rows[0];
      if (!row) return known === 0 ? undefined : NONE;
      return row.synonyms === null ? undefined : setOf({ ...row, synonyms: row.synonyms });
    },
    async set(tenantId, synonyms) {
      const { rows } = await db.query<SetRow>(
        `INSERT INTO mapping_synonyms (tenant_id, synonyms, version) VALUES ($1, $2, 1)
         ON CONFLICT (tenant_id) DO UPDATE SET synonyms = excluded.synonyms, version = mapping_synonyms.version + 1, updated_at = now()
         RETURNING synonyms, version, updated_at`,
        [tenantId, JSON.stringify(synonyms)],
      );
      return setOf(rows[0]!);
    },
    async backup(tenantId) {
      return db.transaction(async (tx) => {
        const { rows } = await tx.query<BackupRow>(
          `INSERT INTO mapping_synonym_backups (id, tenant_id, synonyms, version)
           SELECT $2, $1, COALESCE(s.synonyms, '{}'::jsonb), COALESCE(s.version, 0)
           FROM (SELECT 1) AS one LEFT JOIN mapping_synonyms s ON s.tenant_id = $1
           RETURNING id, created_at, version, synonyms`,
          [tenantId, randomUUID()],
        );
        await tx.query(
          `DELETE FROM mapping_synonym_backups WHERE tenant_id = $1 AND seq < (
             SELECT min(seq) FROM (SELECT seq FROM mapping_synonym_backups WHERE tenant_id = $1 ORDER BY seq DESC LIMIT $2) AS kept)`,
          [tenantId, KEPT_BACKUPS],
        );
        return backupOf(rows[0]!);
      });
    },
    async backups(tenantId) {
      const { rows } = await db.query<BackupRow>(
        'SELECT id, created_at, version, synonyms FROM mapping_synonym_backups WHERE tenant_id = $1 ORDER BY seq DESC',
        [tenantId],
      );
      return rows.map(backupOf);
    },
    async findBackup(tenantId, id) {
      if (!isUuid(id)) return undefined;
      const { rows } = await db.query<BackupRow>(
        'SELECT id, created_at, version, synonyms FROM mapping_synonym_backups WHERE tenant_id = $1 AND id = $2',
        [tenantId, id],
      );
      return rows[0] ? backupOf(rows[0]) : undefined;
    },
  };
}
