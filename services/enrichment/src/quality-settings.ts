import { createReloadingCache, type SqlClient } from '@leadflow/stores';
import { DEFAULT_CALLING_WINDOW, windowMinutes, type CallingWindow } from './calling-window.js';

/**
 * The components of the quality score, in the order the `quality` detail lists them, with their
 * default points (docs/enrichment.md, Quality score). The positive ones add up to 100; a risk
 * takes its points away when it applies.
 */
export const QUALITY_COMPONENTS = {
  // Reachability
  valid_email: 20,
  valid_phone: 20,
  mobile_phone: 5,
  // Identity
  names: 15,
  // Firmographics
  company: 10,
  job_title: 5,
  industry: 5,
  // Location
  complete_address: 15,
  timezone: 5,
  // Risk
  disposable_email: -30,
  role_email: -10,
  email_typo: -10,
  possible_duplicate: -15,
  non_exclusive: -10,
} as const;

export type QualityComponent = keyof typeof QUALITY_COMPONENTS;

export const RISK_COMPONENTS: ReadonlySet<QualityComponent> = new Set(['disposable_email', 'role_email', 'email_typo', 'possible_duplicate', 'non_exclusive']);

export type ThresholdAction = 'warning' | 'error';

/** A tenant's settings for enrichment and scoring (PUT /v1/settings/quality). */
export interface QualitySettings {
  weights: Record<QualityComponent, number>;
  /** Leads scoring under it get LOW_QUALITY; 0 for none. @default 0 */
  threshold: number;
  /** `warning` keeps the lead with the reason, `error` rejects the row. @default 'warning' */
  thresholdAction: ThresholdAction;
  /** Days in which another supplier's delivery of the same person makes a lead non-exclusive. @default 90 */
  exclusivityDays: number;
  /** @default DEFAULT_CALLING_WINDOW (08:00–21:00) */
  callingWindow: CallingWindow;
}

export const DEFAULT_QUALITY_SETTINGS: QualitySettings = Object.freeze({
  weights: { ...QUALITY_COMPONENTS },
  threshold: 0,
  thresholdAction: 'warning',
  exclusivityDays: 90,
  callingWindow: DEFAULT_CALLING_WINDOW,
});

const KEYS = ['weights', 'threshold', 'thresholdAction', 'exclusivityDays', 'callingWindow'];
const MAX_EXCLUSIVITY_DAYS = 3650;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/**
 * Settings as a client sends them (JSON): every key optional, and of `weights` only the
 * components to change. Throws an Error naming the first key that is wrong and what it must be.
 */
export function parseQualitySettings(json: unknown): Partial<Omit<QualitySettings, 'weights'>> & { weights?: Partial<Record<QualityComponent, number>> } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('send the settings as a JSON object');
  const input = json as Record<string, unknown>;
  for (const key of Object.keys(input)) if (!KEYS.includes(key)) throw new Error(`"${key.slice(0, 40)}" is not a quality setting; use ${KEYS.join(', ')}`);
  const out: ReturnType<typeof parseQualitySettings> = {};
  if ('weights' in input) {
    const w = input.weights;
    if (typeof w !== 'object' || w === null || Array.isArray(w)) throw new Error('weights must be an object of component names and points, e.g. {"valid_email": 25}');
    const weights: Partial<Record<QualityComponent, number>> = {};
    for (const [name, points] of Object.entries(w)) {
      if (!(name in QUALITY_COMPONENTS)) throw new Error(`"${name.slice(0, 40)}" is not a quality component; use ${Object.keys(QUALITY_COMPONENTS).join(', ')}`);
      const risk = RISK_COMPONENTS.has(name as QualityComponent);
      if (!isInt(points) || (risk ? points < -100 || points > 0 : points < 0 || points > 100)) {
        throw new Error(`weights.${name} must be a whole number from ${risk ? '-100 to 0 (a risk takes points away)' : '0 to 100'}`);
      }
      weights[name as QualityComponent] = points;
    }
    out.weights = weights;
  }
  if ('threshold' in input) {
    if (!isInt(input.threshold) || input.threshold < 0 || input.threshold > 100) throw new Error('threshold must be a whole number from 0 (none) to 100');
    out.threshold = input.threshold;
  }
  if ('thresholdAction' in input) {
    if (input.thresholdAction !== 'warning' && input.thresholdAction !== 'error') throw new Error('thresholdAction must be "warning" or "error"');
    out.thresholdAction = input.thresholdAction;
  }
  if ('exclusivityDays' in input) {
    const v = input.exclusivityDays;
    if (!isInt(v) || v < 1 || v > MAX_EXCLUSIVITY_DAYS) throw new Error(`exclusivityDays must be a whole number of days from 1 to ${MAX_EXCLUSIVITY_DAYS}`);
    out.exclusivityDays = v;
  }
  if ('callingWindow' in input) {
    const v = input.callingWindow as Partial<CallingWindow> | null;
    if (typeof v !== 'object' || v === null || typeof v.start !== 'string' || typeof v.end !== 'string') {
      throw new Error('callingWindow must be {"start": "HH:MM", "end": "HH:MM"}');
    }
    try {
      windowMinutes({ start: v.start, end: v.end });
    } catch {
      throw new Error('callingWindow start and end must be times "HH:MM" from 00:00 to 24:00');
    }
    out.callingWindow = { start: v.start, end: v.end };
  }
  return out;
}

/** The defaults with what a tenant set on top (settings as stored, or a change on top of them). */
export function mergeQualitySettings(base: QualitySettings, change: ReturnType<typeof parseQualitySettings>): QualitySettings {
  return { ...base, ...change, weights: { ...base.weights, ...change.weights } };
}

/**
 * The settings tenants set over the API (table quality_settings, kept by the gateway), each read
 * at most every `ttlMs`; a tenant without a row has the defaults.
 */
export function createSqlQualitySettings(db: SqlClient, ttlMs = 30_000): (tenantId: string) => Promise<QualitySettings> {
  const settings = createReloadingCache(
    async (tenantId: string): Promise<QualitySettings> => {
      let rows: { settings: unknown }[] = [];
      try {
        rows = (await db.query<{ settings: unknown }>('SELECT settings FROM quality_settings WHERE tenant_id = $1', [tenantId])).rows;
      } catch (err) {
        // Before the gateway has created its table there are no settings yet.
        if ((err as { code?: string }).code !== '42P01') throw err;
      }
      const stored = rows[0]?.settings;
      return mergeQualitySettings(DEFAULT_QUALITY_SETTINGS, stored ? parseQualitySettings(typeof stored === 'string' ? JSON.parse(stored) : stored) : {});
    },
    { ttlMs },
  );
  return (tenantId) => settings.get(tenantId);
}
