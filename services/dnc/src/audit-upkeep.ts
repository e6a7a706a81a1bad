import type { Logger } from '@leadflow/logger';
import type { SqlClient } from '@leadflow/stores';
import type { PhoneHash } from './dnc-audit.js';

const CHUNK = 5_000;

/**
 * Replaces the raw numbers of audit rows written before the audit was hashed (migration 003), or
 * by a replica of an earlier version during an upgrade, with their keyed hash. Answers how many.
 */
export async function hashRawAuditPhones(db: SqlClient, hashOf: PhoneHash): Promise<number> {
  let done = 0;
  for (let round = 0; round < 1_000_000; round++) {
    const { rows } = await db.query<{ phone: string }>(`SELECT DISTINCT phone FROM dnc_audit WHERE phone IS NOT NULL LIMIT ${CHUNK}`);
    if (rows.length === 0) break;
    const hashed = rows.map((r) => hashOf(r.phone));
    const params = [rows.map((r) => r.phone), hashed.map((h) => h.hash), hashed.map((h) => h.keyId)];
    const h = 'unnest($1::text[], $2::bytea[], $3::text[]) AS h(phone, hash, key)';
    const { rowCount } = await db.transaction(async (tx) => {
      // The same check recorded hashed too (a batch redelivered to a newer replica): the hashed row is kept.
      await tx.query(
        `DELETE FROM dnc_audit a USING ${h} WHERE a.phone = h.phone AND EXISTS (SELECT 1 FROM dnc_audit b
           WHERE b.job_id = a.job_id AND b.row_number = a.row_number AND b.list = a.list AND b.phone_hash = h.hash)`,
        params,
      );
      return tx.query(`UPDATE dnc_audit a SET phone_hash = h.hash, phone_key = h.key, phone = NULL FROM ${h} WHERE a.phone = h.phone`, params);
    });
    done += rowCount;
  }
  return done;
}

/** Deletes audit rows older than the retention (DNC_AUDIT_RETENTION_DAYS): answers how many. */
export async function purgeExpiredAudit(db: SqlClient, retentionDays: number): Promise<number> {
  let done = 0;
  for (let round = 0; round < 1_000_000; round++) {
    const { rowCount } = await db.query(
      `DELETE FROM dnc_audit WHERE ctid = ANY (ARRAY(SELECT ctid FROM dnc_audit WHERE checked_at < now() - make_interval(days => $1) LIMIT ${CHUNK}))`,
      [retentionDays],
    );
    done += rowCount;
    if (rowCount < CHUNK) break;
  }
  return done;
}

export interface AuditUpkeepOptions {
  db: SqlClient;
  hashOf: PhoneHash;
  retentionDays: number;
  logger: Logger;
  /** @default 21600000 (six hours) */
  intervalMs?: number;
}

/**
 * A lifecycle module: at start, and then every `intervalMs`, hashes raw numbers left in the audit
 * and deletes the rows past their retention. A failure is logged and tried again next time.
 */
export function auditUpkeepModule(opts: AuditUpkeepOptions) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const once = async () => {
    const hashed = await hashRawAuditPhones(opts.db, opts.hashOf);
    const purged = await purgeExpiredAudit(opts.db, opts.retentionDays);
    if (hashed + purged > 0) opts.logger.info({ hashed, purged, retentionDays: opts.retentionDays }, 'DNC audit upkeep');
  };
  return {
    name: 'dnc-audit-upkeep',
    async start() {
      await once();
      timer = setInterval(() => {
        running = once().catch((err) => opts.logger.warn({ err }, 'DNC audit upkeep failed; tried again later'));
      }, opts.intervalMs ?? 6 * 3600_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
