import { normalizePhone } from '@leadflow/mapping';
import {
  DncFileError, dncFileParts, DncLoadError, isTenantKind, parseDncListKind, type DncListKind, type DncListSummary, type DncLoadMode, type DncLoadResult,
  type DncRegistry,
} from '@leadflow/stores';
import { GatewayError } from './gateway-error.js';

/** What a load answers, over REST and gRPC alike. */
export interface DncListLoadView {
  list: string;
  version: number;
  snapshotDate: string;
  size: number;
  numbers: number;
  added: number;
  removed: number;
  badLines: number;
  problems: { file: string; line: number; problem: string }[];
}

const SNAPSHOT = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `?snapshot=`: a real day, not to come; undefined for today. */
function snapshotOf(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  const m = SNAPSHOT.exec(value);
  const at = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(at) || new Date(at).getUTCDate() !== Number(m[3]) || at > Date.now()) {
    throw new GatewayError('INVALID_DNC_SNAPSHOT', `snapshot "${value.slice(0, 40)}" is not a past date YYYY-MM-DD`);
  }
  return value;
}

const problemsText = (problems: readonly { file: string; line: number; problem: string }[]) =>
  problems.length === 0 ? '' : `: ${problems.slice(0, 5).map((p) => `line ${p.line}: ${p.problem}`).join('; ')}`;

/**
 * The Do-Not-Call lists over the API (docs/dnc-lists.md, "Import"): every list a tenant is
 * screened against, and loads into one. Shared lists (national, state, litigator, wireless) are
 * every tenant's to read; only an admin of a tenant named in `operators` (DNC_OPERATOR_TENANTS)
 * may load them. A tenant's internal and suppression lists are its admins'.
 */
export function createDncListService(dnc: DncRegistry, operators: readonly string[] = [], defaultRegion = 'US') {
  function listOf(name: string, tenantId: string, writing: boolean): { kind: DncListKind; owner: string } {
    const kind = parseDncListKind(name);
    if (!kind) {
      throw new GatewayError(
        'DNC_LIST_NOT_FOUND',
        `no list "${name.slice(0, 40)}": national, national-ca, state:XX, litigator, wireless, internal, suppression:email, suppression:domain or suppression:phone`,
      );
    }
    if (isTenantKind(kind)) return { kind, owner: tenantId };
    if (writing && !operators.includes(tenantId)) {
      throw new GatewayError('FORBIDDEN', `the ${kind} list is shared by every tenant: only an operator loads it (leadflow dnc import, or an admin key of a tenant in DNC_OPERATOR_TENANTS)`);
    }
    return { kind, owner: '' };
  }

  const view = (r: DncLoadResult): DncListLoadView => ({
    list: r.head.kind,
    version: r.head.version,
    snapshotDate: r.head.snapshotDate,
    size: r.size,
    numbers: r.numbers,
    added: r.added,
    removed: r.removed,
    badLines: r.badLines,
    problems: r.problems,
  });

  return {
    async listDncLists(tenantId: string): Promise<{ lists: DncListSummary[] }> {
      return { lists: await dnc.lists(tenantId) };
    },

    /** Loads a body (plain, gzip or zip; streamed) into a list: `replace` (PUT) or `changes` (POST .../changes). */
    async loadDncList(tenantId: string, name: string, mode: DncLoadMode, snapshot: string | undefined, body: AsyncIterable<Buffer | string>): Promise<DncListLoadView> {
      const { kind, owner } = listOf(name, tenantId, true);
      const snapshotDate = snapshotOf(snapshot);
      try {
        return view(
          await dnc.load(
            { kind, owner, mode, source: mode === 'replace' ? 'API replacement' : 'API change list', snapshotDate, normalize: (t) => normalizePhone(t, defaultRegion) },
            dncFileParts('body', body),
          ),
        );
      } catch (err) {
        if (err instanceof DncLoadError) throw new GatewayError(err.code, `${err.message}${problemsText(err.problems)}`);
        if (err instanceof DncFileError) throw new GatewayError('DNC_IMPORT_INVALID', err.message);
        throw err;
      }
    },
  };
}
