import type { DncListHead, SqlClient } from '@leadflow/stores';

export interface DncCheck {
  jobId: string;
  rowNumber: number;
  tenantId: string;
  /** E.164; kept only as its keyed hash. */
  phone: string;
  /** The list checked, at the version and snapshot date the screening used. */
  list: DncListHead;
  listed: boolean;
  /**
   * What the check decided: `listed`, `clear`, `wireless_state` (listed on a wireless list, lead in a
   * state that forbids calls to mobiles), `stale` (the list was older than the limit: suppressed by
   * DNC_LIST_STALE). @default listed or clear
   */
  result?: string;
  /** The exemption that lifted the listing ("ebr_purchase 2026-05-01 (exemption 12)"); absent when none did. */
  exemption?: string;
}

/** The keyed hash a number is audited by, and the id of the installation key that made it. */
export type PhoneHash = (phone: string) => { keyId: string; hash: Buffer };

/** The purpose the audit's key is derived for (Keyring.keyedHash): no other use shares it. */
export const AUDIT_PHONE_PURPOSE = 'dnc-audit-phone';

/** The audit trail of Do-Not-Call checks, one a number of a row and list; recording the same check twice keeps the first. */
export interface DncAudit {
  record(checks: readonly DncCheck[]): Promise<void>;
}

/**
 * @param opts.rescreen the re-screening the checks belong to (dnc_audit.rescreen, migration 006): its
 * checks of a lead are kept beside the first screening's. @default '' (the dnc stage's)
 */
export function createSqlDncAudit(db: SqlClient, hashOf: PhoneHash, opts: { rescreen?: string } = {}): DncAudit {
  const rescreen = opts.rescreen ?? '';
  return {
    async record(checks) {
      if (checks.length === 0) return;
      const hashes = new Map<string, { keyId: string; hash: Buffer }>();
      for (const c of checks) if (!hashes.has(c.phone)) hashes.set(c.phone, hashOf(c.phone));
      await db.query(
        `INSERT INTO dnc_audit (job_id, row_number, tenant_id, phone_hash, phone_key, list, list_id, list_version, snapshot_date, listed, result, exemption, rescreen)
         SELECT j, r, t, h, k, l, li, v, nullif(s, '')::date, x, re, nullif(e, ''), $13::text
         FROM unnest($1::text[], $2::int[], $3::text[], $4::bytea[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::bool[],
                     $11::text[], $12::text[])
           AS c(j, r, t, h, k, l, li, v, s, x, re, e)
         ON CONFLICT DO NOTHING`,
        [
          checks.map((c) => c.jobId),
          checks.map((c) => c.rowNumber),
          checks.map((c) => c.tenantId),
          checks.map((c) => hashes.get(c.phone)!.hash),
          checks.map((c) => hashes.get(c.phone)!.keyId),
          checks.map((c) => c.list.kind),
          checks.map((c) => c.list.id),
          checks.map((c) => c.list.version),
          checks.map((c) => c.list.snapshotDate),
          checks.map((c) => c.listed),
          checks.map((c) => c.result ?? (c.listed ? 'listed' : 'clear')),
          checks.map((c) => c.exemption ?? ''),
          rescreen,
        ],
      );
    },
  };
}
