import { normalizePhone } from '@leadflow/mapping';
import type { SqlClient } from '@leadflow/stores';
import { GatewayError } from './gateway-error.js';
import { readOwnedElsewhere } from './owned-elsewhere.js';

/** What a stale national or state list does to a tenant's rows with phones; `default`: the installation's DNC_STALE_LIST_POLICY. */
export const DNC_POLICIES = ['hold', 'suppress', 'default'] as const;
export type DncPolicyName = (typeof DNC_POLICIES)[number];

export interface DncPolicyView {
  staleList: DncPolicyName;
}

/** One check of a number, as GET /v1/dnc/audit answers it. */
export interface DncAuditCheckView {
  checkedAt: string;
  jobId: string;
  rowNumber: number;
  list: string;
  listVersion: number;
  snapshotDate: string;
  listed: boolean;
  result: string;
  exemption: string;
}

export interface DncAuditView {
  phone: string;
  checks: DncAuditCheckView[];
}

const MAX_AUDIT = 1000;

/** The purpose the dnc service derives the audit's key for (services/dnc AUDIT_PHONE_PURPOSE): the same, or no number is found. */
export const DNC_AUDIT_PURPOSE = 'dnc-audit-phone';

/**
 * The tenant's Do-Not-Call policy (gateway migration 014) and the audit of a number
 * (docs/dnc-lists.md, "Freshness" and "The audit"): the audit is searched by the number's keyed
 * hash under every key the installation holds, so that checks from before a key rotation are found
 * while the old key is still listed. A tenant sees only its own checks.
 */
export function createDncComplianceService(db: SqlClient, auditHashes: ((phone: string) => Buffer[]) | undefined, defaultRegion = 'US') {
  return {
    async getDncPolicy(tenantId: string): Promise<DncPolicyView> {
      const { rows } = await db.query<{ stale_list: DncPolicyName }>('SELECT stale_list FROM dnc_policies WHERE tenant_id = $1', [tenantId]);
      return { staleList: rows[0]?.stale_list ?? 'default' };
    },

    async setDncPolicy(tenantId: string, body: unknown): Promise<DncPolicyView> {
      const value = (body as { staleList?: unknown } | null)?.staleList;
      const keys = body !== null && typeof body === 'object' ? Object.keys(body) : [];
      if (typeof value !== 'string' || !(DNC_POLICIES as readonly string[]).includes(value) || keys.some((k) => k !== 'staleList')) {
        throw new GatewayError('INVALID_DNC_POLICY', 'staleList must be "hold", "suppress" or "default", the only field');
      }
      if (value === 'default') await db.query('DELETE FROM dnc_policies WHERE tenant_id = $1', [tenantId]);
      else {
        await db.query(
          `INSERT INTO dnc_policies (tenant_id, stale_list) VALUES ($1, $2)
           ON CONFLICT (tenant_id) DO UPDATE SET stale_list = excluded.stale_list, updated_at = now()`,
          [tenantId, value],
        );
      }
      return { staleList: value as DncPolicyName };
    },

    async getDncAudit(tenantId: string, phone: string | undefined, limit: number | undefined): Promise<DncAuditView> {
      const e164 = phone ? normalizePhone(phone, defaultRegion) : undefined;
      if (!e164) throw new GatewayError('INVALID_DNC_PHONE', `phone "${(phone ?? '').slice(0, 40)}" is not a phone number`);
      if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT)) {
        throw new GatewayError('INVALID_QUERY', `limit must be a whole number from 1 to ${MAX_AUDIT}`);
      }
      if (!auditHashes) throw new GatewayError('DNC_AUDIT_UNAVAILABLE');
      // dnc_audit is the dnc service's: before it made it, no number was checked.
      const rows = await readOwnedElsewhere<{
        checked_at: Date; job_id: string; row_number: number; list: string; list_version: string | null; snapshot: string | null; listed: boolean;
        result: string | null; exemption: string | null;
      }>(
        db,
        `SELECT checked_at, job_id, row_number, list, list_version, to_char(snapshot_date, 'YYYY-MM-DD') AS snapshot, listed, result, exemption
           FROM dnc_audit WHERE tenant_id = $1 AND phone_hash = ANY($2::bytea[])
          ORDER BY checked_at DESC, job_id, row_number, list LIMIT $3`,
        [tenantId, auditHashes(e164), limit ?? 100],
      );
      return {
        phone: e164,
        checks: rows.map((r) => ({
          checkedAt: new Date(r.checked_at).toISOString(),
          jobId: r.job_id,
          rowNumber: r.row_number,
          list: r.list,
          listVersion: Number(r.list_version ?? 0),
          snapshotDate: r.snapshot ?? '',
          listed: r.listed,
          result: r.result ?? (r.listed ? 'listed' : 'clear'),
          exemption: r.exemption ?? '',
        })),
      };
    },
  };
}
