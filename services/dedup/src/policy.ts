import { bool, ConfigError, custom, int, num, type ConfigOf } from '@leadflow/config';
import { createReloadingCache, type SqlClient } from '@leadflow/stores';
import type { MatchRecord } from './matching/record.js';

/** The lead fields a composite key may use: those the matcher keeps for every lead. */
export const KEY_FIELDS = {
  first_name: 'first', last_name: 'last', email: 'emailKey', phone: 'phone', company: 'company', street: 'street',
  address_line2: 'line2', city: 'city', state: 'state', postal_code: 'postalCode',
} as const satisfies Record<string, keyof MatchRecord | 'street'>;

export type KeyField = keyof typeof KEY_FIELDS;

/** How a tenant's rows are deduplicated. */
export interface DedupPolicy {
  /** Match probability from which a row is a DUPLICATE of an earlier row or lead. */
  duplicateThreshold: number;
  /** Match probability from which a row stays ACCEPTED but is flagged as a possible duplicate. */
  possibleThreshold: number;
  /** Stored leads older than this many days are not matched; 0 matches against every stored lead. */
  lookbackDays: number;
  /** Exact keys: the canonical email key and the E.164 phone. */
  exactEmail: boolean;
  exactPhone: boolean;
  /** Composite keys: rows with the same (folded) values of every field of one key are duplicates. */
  compositeKeys: readonly (readonly KeyField[])[];
  /** Fuzzy matching on names, addresses and contacts. */
  fuzzy: boolean;
}

export const DEFAULT_POLICY: DedupPolicy = {
  duplicateThreshold: 0.9,
  possibleThreshold: 0.5,
  lookbackDays: 0,
  exactEmail: true,
  exactPhone: true,
  compositeKeys: [],
  fuzzy: true,
};


/**
 * Composite keys as written in configuration: keys separated by `;`, fields of a key by `+`
 * ("first_name+last_name+postal_code; company+phone").
 */
export function parseCompositeKeys(text: string): KeyField[][] {
  const keys = text
    .split(';')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => k.split('+').map((f) => f.trim()));
  for (const key of keys) {
    for (const field of key) {
      if (!(field in KEY_FIELDS)) throw new Error(`"${field}" cannot be part of a duplicate key; use ${Object.keys(KEY_FIELDS).join(', ')}`);
    }
  }
  return keys as KeyField[][];
}

/** A row's value of a composite key, or undefined when one of its fields is empty. */
export function compositeValue(record: MatchRecord, key: readonly KeyField[]): string | undefined {
  const values = key.map((f) => {
    const k = KEY_FIELDS[f];
    return k === 'street' ? [record.streetNumber, record.streetName].filter(Boolean).join(' ') : record[k];
  });
  return values.every(Boolean) ? `${key.join('+')}=${values.join('|')}` : undefined;
}

/** The variables that set the default policy (dedup service, `leadflow run` and `serve`). */
export const policySchema = {
  duplicateThreshold: ['DEDUP_DUPLICATE_THRESHOLD', num({ min: 0, max: 1, default: DEFAULT_POLICY.duplicateThreshold, description: 'match probability from which a row is a duplicate' })],
  possibleThreshold: ['DEDUP_POSSIBLE_THRESHOLD', num({ min: 0, max: 1, default: DEFAULT_POLICY.possibleThreshold, description: 'match probability from which a row is flagged as a possible duplicate' })],
  lookbackDays: ['DEDUP_LOOKBACK_DAYS', int({ min: 0, default: 0, description: 'days of stored leads to match against; 0 for all' })],
  exactKeys: ['DEDUP_EXACT_KEYS', custom('email, phone, both or none', parseExactKeys, { default: { exactEmail: true, exactPhone: true } })],
  compositeKeys: ['DEDUP_COMPOSITE_KEYS', custom('keys like first_name+last_name+postal_code, separated by ;', parseCompositeKeys, { default: [] })],
  fuzzy: ['DEDUP_FUZZY', bool({ default: true, description: 'match names and addresses allowing for typos' })],
} as const;

function parseExactKeys(text: string): { exactEmail: boolean; exactPhone: boolean } {
  const keys = text.split(',').map((k) => k.trim().toLowerCase()).filter(Boolean);
  for (const k of keys) if (!['email', 'phone', 'none'].includes(k)) throw new Error(`"${k}" is not an exact key; use email, phone or none`);
  return { exactEmail: keys.includes('email'), exactPhone: keys.includes('phone') };
}

/** The policy the variables of `policySchema` describe. */
export function policyFromConfig(config: ConfigOf<typeof policySchema>): DedupPolicy {
  const { duplicateThreshold, possibleThreshold, lookbackDays, compositeKeys, fuzzy, exactKeys } = config;
  if (possibleThreshold > duplicateThreshold) {
    throw new ConfigError([`DEDUP_POSSIBLE_THRESHOLD (${possibleThreshold}) must not be above DEDUP_DUPLICATE_THRESHOLD (${duplicateThreshold})`]);
  }
  return { duplicateThreshold, possibleThreshold, lookbackDays, compositeKeys, fuzzy, ...exactKeys };
}

/**
 * A policy as a client sends it (JSON): every key optional, each checked. Throws an Error that
 * names the first key that is wrong and what it must be.
 */
export function parsePolicy(json: unknown): Partial<DedupPolicy> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('send the policy as a JSON object');
  const input = json as Record<string, unknown>;
  const out: Partial<DedupPolicy> = {};
  const known = ['duplicateThreshold', 'possibleThreshold', 'lookbackDays', 'exactEmail', 'exactPhone', 'compositeKeys', 'fuzzy'];
  for (const key of Object.keys(input)) if (!known.includes(key)) throw new Error(`"${key.slice(0, 40)}" is not a policy setting; use ${known.join(', ')}`);
  for (const key of ['duplicateThreshold', 'possibleThreshold'] as const) {
    if (key in input) {
      const v = input[key];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new Error(`${key} must be a number from 0 to 1`);
      out[key] = v;
    }
  }
  if ('lookbackDays' in input) {
    const v = input.lookbackDays;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error('lookbackDays must be a whole number of days, 0 for all stored leads');
    out.lookbackDays = v;
  }
  for (const key of ['exactEmail', 'exactPhone', 'fuzzy'] as const) {
    if (key in input) {
      if (typeof input[key] !== 'boolean') throw new Error(`${key} must be true or false`);
      out[key] = input[key] as boolean;
    }
  }
  if ('compositeKeys' in input) {
    const v = input.compositeKeys;
    if (!Array.isArray(v) || v.some((k) => !Array.isArray(k) || k.length === 0 || k.some((f) => typeof f !== 'string'))) {
      throw new Error('compositeKeys must be a list of keys, each a list of fields, e.g. [["last_name", "postal_code"]]');
    }
    out.compositeKeys = parseCompositeKeys((v as string[][]).map((k) => k.join('+')).join(';'));
  }
  const dup = out.duplicateThreshold;
  const possible = out.possibleThreshold;
  if (dup !== undefined && possible !== undefined && possible > dup) throw new Error('possibleThreshold must not be above duplicateThreshold');
  return out;
}

/**
 * The policies tenants set over the API (table dedup_policies, kept by the gateway): the
 * tenant's default, then the supplier's own, each read at most every `ttlMs`.
 */
export function createSqlPolicies(db: SqlClient, ttlMs = 30_000) {
  const policies = createReloadingCache(
    async ([tenantId, supplier]: readonly [string, string]): Promise<Partial<DedupPolicy>> => {
      let rows: { supplier: string; policy: unknown }[] = [];
      try {
        rows = (
          await db.query<{ supplier: string; policy: unknown }>(
            "SELECT supplier, policy FROM dedup_policies WHERE tenant_id = $1 AND supplier IN ('', $2) ORDER BY supplier",
            [tenantId, supplier],
          )
        ).rows;
      } catch (err) {
        // Before the gateway has created its table there are no policies yet.
        if ((err as { code?: string }).code !== '42P01') throw err;
      }
      return Object.assign({}, ...rows.map((r) => parsePolicy(r.policy))) as Partial<DedupPolicy>;
    },
    { ttlMs, keyOf: (key) => JSON.stringify(key) },
  );
  return (tenantId: string, supplier: string): Promise<Partial<DedupPolicy>> => policies.get([tenantId, supplier]);
}

/**
 * Each tenant's exclusivity window in days, from its quality settings (table quality_settings,
 * kept by the gateway; parsed in full by @leadflow/enrichment), read at most every `ttlMs`:
 * `fallback` for a tenant that did not set one.
 */
export function createSqlExclusivityDays(db: SqlClient, fallback: number, ttlMs = 30_000) {
  const days = createReloadingCache(
    async (tenantId: string): Promise<number> => {
      try {
        const { rows } = await db.query<{ days: unknown }>("SELECT settings->'exclusivityDays' AS days FROM quality_settings WHERE tenant_id = $1", [tenantId]);
        const v = rows[0]?.days;
        return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
      } catch (err) {
        // Before the gateway has created its table there are no settings yet.
        if ((err as { code?: string }).code !== '42P01') throw err;
        return fallback;
      }
    },
    { ttlMs },
  );
  return (tenantId: string): Promise<number> => days.get(tenantId);
}
