import type { SqlClient } from '@leadflow/stores';
import { costOf } from './job-cost.js';
import { timeOf } from './job-list-query.js';
import { GatewayError } from './gateway-error.js';
import { readOwnedElsewhere } from './owned-elsewhere.js';
import { supplierNotFound, type SupplierTotalsView } from './supplier-service.js';
import type { Period, SupplierStore } from './supplier-store.js';

/**
 * A supplier's scorecard for a period (docs/tags-and-scorecards.md): its jobs created in the
 * period added up as each job's own counts and cost have them, and what their leads are worth.
 */
export interface SupplierScorecardView extends SupplierTotalsView {
  supplierId: string;
  supplier: string;
  /** The period asked for, as ISO times; null for an open bound. */
  from: string | null;
  to: string | null;
  /** Rows of the period's jobs that dedup kept as leads but flagged as possible duplicates, decided or not. */
  possibleDuplicates: number;
  /** accepted / rows, 0 without rows. */
  acceptedShare: number;
  /** Mean quality_score of the period's stored leads, to two places; null without leads. */
  averageQuality: number | null;
  /** Share of the period's stored leads that are exclusive, among those whose exclusivity is known; null when none is (or leads have no exclusivity yet). */
  exclusiveShare: number | null;
}

/** What the scorecard reads of persistence's tables for the jobs of a supplier and a period. */
export interface ScorecardFacts {
  possibleDuplicates: number;
  averageQuality: number | null;
  exclusiveShare: number | null;
}

const UNDEFINED_COLUMN = '42703';
const JOBS_OF = `SELECT id FROM jobs WHERE tenant_id = $1 AND supplier_id = $2
                  AND ($3::timestamptz IS NULL OR created_at >= $3) AND ($4::timestamptz IS NULL OR created_at < $4)`;
const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places;

/** The facts, from persistence's tables (read as another service's: none before it made them). */
export function createSqlScorecardFacts(db: SqlClient) {
  return async (id: string, tenantId: string, period: Period): Promise<ScorecardFacts> => {
    const params = [tenantId, id, period.from ?? null, period.to ?? null];
    const [counts] = await readOwnedElsewhere<{ possible: number; leads: number; quality: number | null }>(
      db,
      `SELECT (SELECT count(*)::int FROM possible_duplicates WHERE tenant_id = $1 AND job_id IN (${JOBS_OF})) AS possible,
              count(l.id)::int AS leads, avg(l.quality_score)::float8 AS quality
         FROM leads l WHERE l.tenant_id = $1 AND l.job_id IN (${JOBS_OF})`,
      params,
    );
    let exclusiveShare: number | null = null;
    try {
      // leads.exclusivity comes with issue 15's exclusivity work; before it, the share is not known.
      const [share] = await readOwnedElsewhere<{ known: number; exclusive: number }>(
        db,
        `SELECT count(*) FILTER (WHERE exclusivity IN ('exclusive', 'non-exclusive'))::int AS known,
                count(*) FILTER (WHERE exclusivity = 'exclusive')::int AS exclusive
           FROM leads WHERE tenant_id = $1 AND job_id IN (${JOBS_OF})`,
        params,
      );
      if (share && share.known > 0) exclusiveShare = round(share.exclusive / share.known, 4);
    } catch (err) {
      if ((err as { code?: string }).code !== UNDEFINED_COLUMN) throw err;
    }
    return {
      possibleDuplicates: counts?.possible ?? 0,
      averageQuality: counts && counts.leads > 0 && counts.quality !== null ? round(Number(counts.quality), 2) : null,
      exclusiveShare,
    };
  };
}

/** GET /v1/suppliers/{id}/scorecard and GetSupplierScorecard, for REST and gRPC alike. */
export function createSupplierScorecards(suppliers: SupplierStore | undefined, facts: ReturnType<typeof createSqlScorecardFacts> | undefined) {
  return {
    async getSupplierScorecard(id: string, tenantId: string, query: { from?: string; to?: string }): Promise<SupplierScorecardView> {
      if (!suppliers || !facts) throw new GatewayError('INTERNAL', 'this gateway keeps no supplier scorecards');
      const period: Period = { from: timeOf('from', query.from), to: timeOf('to', query.to) };
      if (period.from && period.to && period.from >= period.to) throw new GatewayError('INVALID_QUERY', 'from must be before to');
      const found = await suppliers.get(id, tenantId);
      if (!found) throw supplierNotFound(id);
      const [{ costs, ...counts }, more] = await Promise.all([suppliers.totals(id, tenantId, period), facts(id, tenantId, period)]);
      return {
        supplierId: found.id,
        supplier: found.name,
        from: period.from?.toISOString() ?? null,
        to: period.to?.toISOString() ?? null,
        ...counts,
        ...more,
        acceptedShare: counts.rows > 0 ? round(counts.accepted / counts.rows, 4) : 0,
        costs: costs.map((c) => ({ currency: c.currency, jobs: c.jobs, rows: c.rows, accepted: c.accepted, ...costOf(c.totalMicros, c.accepted, c.currency) })),
      };
    },
  };
}
