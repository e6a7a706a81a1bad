import { int, list, oneOf } from '@leadflow/config';

/** What a tenant's rows meet when a national or state list is stale (docs/dnc-lists.md, "Freshness"). */
export const STALE_LIST_POLICIES = ['hold', 'suppress'] as const;
export type StaleListPolicy = (typeof STALE_LIST_POLICIES)[number];

/** The states whose law forbids unsolicited calls to wireless numbers without consent: DNCScrub's five. */
export const DEFAULT_WIRELESS_STATES = ['WY', 'NJ', 'TX', 'LA', 'AZ'];

/** The settings of list freshness and wireless states, read by the dnc service and `leadflow run`/`serve`. */
export const freshnessSchema = {
  maxListAgeDays: [
    'DNC_MAX_LIST_AGE_DAYS',
    int({ min: 1, max: 3650, default: 31, description: 'days a national or state Do-Not-Call snapshot is good for; an older one holds (or suppresses) rows with phones' }),
  ],
  staleListPolicy: [
    'DNC_STALE_LIST_POLICY',
    oneOf(STALE_LIST_POLICIES, { default: 'hold', description: "what a stale national or state list does to rows with phones when the tenant set no policy: hold them until a fresh import, or suppress them (DNC_LIST_STALE)" }),
  ],
  wirelessStates: [
    'DNC_WIRELESS_STATES',
    list({ default: DEFAULT_WIRELESS_STATES, description: 'states (two letters, comma-separated) where a number on a wireless list is suppressed (DNC_WIRELESS_STATE) without consent' }),
  ],
  heldReleaseMs: [
    'DNC_HELD_RELEASE_MS',
    int({ min: 100, max: 3_600_000, default: 5_000, description: 'how often held rows are looked at, to pass them on once every national and state list is fresh' }),
  ],
} as const;

const DAY_MS = 86_400_000;

/** A snapshot date's age in whole days at `now` (0 on its day); undefined without one. */
export function snapshotAgeDays(snapshotDate: string, now: Date): number | undefined {
  if (!snapshotDate) return undefined;
  const at = Date.parse(`${snapshotDate}T00:00:00Z`);
  return Number.isNaN(at) ? undefined : Math.floor((now.getTime() - at) / DAY_MS);
}

/** Kinds whose snapshot must be fresh: the registries re-scrubbed at least every 31 days. */
export const mustBeFresh = (kind: string) => kind === 'national' || kind === 'national-ca' || kind.startsWith('state:');
