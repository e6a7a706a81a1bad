import { parseDncListKind, type DncRegistry, type SqlClient } from '@leadflow/stores';
import { GatewayError } from './gateway-error.js';

/** A re-screening as the API shows it (docs/rescreen.md). */
export interface RescreenView {
  id: string;
  status: 'pending' | 'running' | 'completed' | 'failed';
  trigger: 'request' | 'list-change' | 'schedule';
  list: string;
  jobId: string | null;
  /** Stored leads screened so far. */
  screened: number;
  /** Of them, those found listed and marked suppressed. */
  suppressed: number;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

type Row = {
  id: string; status: RescreenView['status']; trigger: RescreenView['trigger']; list: string; job_id: string | null; screened: number; suppressed: number;
  error: string | null; created_at: Date; started_at: Date | null; finished_at: Date | null;
};

const COLUMNS = 'id, status, trigger, list, job_id, screened, suppressed, error, created_at, started_at, finished_at';
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const view = (r: Row): RescreenView => ({
  id: String(r.id), status: r.status, trigger: r.trigger, list: r.list, jobId: r.job_id, screened: r.screened, suppressed: r.suppressed, error: r.error,
  createdAt: iso(r.created_at)!, startedAt: iso(r.started_at), finishedAt: iso(r.finished_at),
});

/**
 * Asks for the re-screening of a list change: the owner's leads (a tenant's list) or every
 * tenant's (a shared list, owner ''), unless one for the same leads waits already (it will screen
 * against the list as it is then). A database without the table (the gateway's migration 015 not
 * run) asks nothing.
 */
export async function requestListChangeRescreen(db: SqlClient, owner: string, list: string): Promise<void> {
  try {
    await db.query(
      `INSERT INTO dnc_rescreens (tenant_id, trigger, list)
       SELECT $1::text, 'list-change', $2
        WHERE NOT EXISTS (SELECT 1 FROM dnc_rescreens WHERE tenant_id IS NOT DISTINCT FROM $1::text AND status = 'pending'
                            AND trigger IN ('list-change', 'request') AND job_id IS NULL AND due_before IS NULL)`,
      [owner || null, list],
    );
  } catch (err) {
    if ((err as { code?: string }).code !== '42P01') throw err;
  }
}

/**
 * A registry whose every change (numbers added, a load: replace or change list) asks for the
 * re-screening of the leads it may concern, then tells `onRequested` (serve's worker looks at once).
 */
const RESCREENING = Symbol('asks for re-screenings');

export function rescreeningRegistry(dnc: DncRegistry, db: SqlClient, onRequested?: () => void): DncRegistry {
  // Wrapped once: serve's registry asks already, and the gateway it runs is given that one.
  if ((dnc as { [RESCREENING]?: true })[RESCREENING]) return dnc;
  const wrapped: DncRegistry & { [RESCREENING]: true } = {
    ...dnc,
    [RESCREENING]: true,
    async add(numbers, list, source) {
      const added = await dnc.add(numbers, list, source);
      if (added > 0) {
        // Numbers go to the tenant's internal list, or without one to the national list.
        await requestListChangeRescreen(db, list?.tenantId ?? '', list ? 'internal' : 'national');
        onRequested?.();
      }
      return added;
    },
    async load(req, parts) {
      const loaded = await dnc.load(req, parts);
      if (loaded.added > 0 || loaded.removed > 0 || req.mode === 'replace') {
        await requestListChangeRescreen(db, req.owner, req.kind);
        onRequested?.();
      }
      return loaded;
    },
  };
  return wrapped;
}

/** `POST /v1/dnc/rescreen` and `GET /v1/dnc/rescreen/{id}` (gRPC RescreenLeads, GetRescreen). */
export function createRescreenService(db: SqlClient, onRequested?: () => void) {
  return {
    async requestRescreen(tenantId: string, body: unknown): Promise<RescreenView> {
      const b = (body ?? {}) as Record<string, unknown>;
      if (typeof b !== 'object' || Array.isArray(b)) throw new GatewayError('INVALID_RESCREEN', 'send a JSON object: {}, {"list": "..."} or {"jobId": "..."}');
      const extra = Object.keys(b).filter((k) => k !== 'list' && k !== 'jobId');
      if (extra.length > 0) throw new GatewayError('INVALID_RESCREEN', `unknown field "${extra[0]!.slice(0, 40)}": send list and/or jobId`);
      if (b.list !== undefined && (typeof b.list !== 'string' || (b.list !== '' && !parseDncListKind(b.list)))) {
        throw new GatewayError('INVALID_RESCREEN', `list "${String(b.list).slice(0, 40)}" is none: national, national-ca, state:XX, litigator, wireless, internal or suppression:...`);
      }
      if (b.jobId !== undefined && (typeof b.jobId !== 'string' || b.jobId === '')) throw new GatewayError('INVALID_RESCREEN', 'jobId must be a job id');
      const jobId = (b.jobId as string | undefined) ?? null;
      if (jobId) {
        const { rows } = await db.query('SELECT 1 FROM jobs WHERE id = $1 AND tenant_id = $2', [jobId, tenantId]);
        if (rows.length === 0) throw new GatewayError('JOB_NOT_FOUND', `no job ${jobId.slice(0, 60)} for this tenant`);
      }
      const list = typeof b.list === 'string' ? (parseDncListKind(b.list) ?? '') : '';
      const { rows } = await db.query<Row>(
        `INSERT INTO dnc_rescreens (tenant_id, trigger, list, job_id) VALUES ($1, 'request', $2, $3) RETURNING ${COLUMNS}`,
        [tenantId, list, jobId],
      );
      onRequested?.();
      return view(rows[0]!);
    },

    async getRescreen(tenantId: string, id: string): Promise<RescreenView> {
      if (!/^\d{1,18}$/.test(id)) throw new GatewayError('RESCREEN_NOT_FOUND', `no re-screening ${id.slice(0, 40)}`);
      const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM dnc_rescreens WHERE id = $1 AND tenant_id = $2`, [id, tenantId]);
      if (!rows[0]) throw new GatewayError('RESCREEN_NOT_FOUND', `no re-screening ${id} for this tenant`);
      return view(rows[0]);
    },
  };
}
