import { parseTagRules, TagRuleError, type TagRule } from '@leadflow/pipeline';
import type { SqlClient } from '@leadflow/stores';
import { GatewayError } from './gateway-error.js';

/** A tenant's tag rules as REST shows them (gRPC's TagRules has the same, each condition as JSON text). */
export interface TagRulesView {
  rules: TagRule[];
  /** When they were last saved; null when the tenant never set any. */
  updatedAt: string | null;
}

/** The table tag_rules (gateway migration 013), one row per tenant. */
export interface TagRuleStore {
  get(tenantId: string): Promise<{ rules: unknown; updatedAt: Date } | undefined>;
  save(tenantId: string, rules: TagRule[]): Promise<Date>;
}

export function createSqlTagRuleStore(db: SqlClient): TagRuleStore {
  return {
    async get(tenantId) {
      const { rows } = await db.query<{ rules: unknown; updated_at: Date }>('SELECT rules, updated_at FROM tag_rules WHERE tenant_id = $1', [tenantId]);
      return rows[0] && { rules: rows[0].rules, updatedAt: new Date(rows[0].updated_at) };
    },
    async save(tenantId, rules) {
      const { rows } = await db.query<{ updated_at: Date }>(
        `INSERT INTO tag_rules (tenant_id, rules) VALUES ($1, $2)
         ON CONFLICT (tenant_id) DO UPDATE SET rules = excluded.rules, updated_at = now() RETURNING updated_at`,
        [tenantId, JSON.stringify(rules)],
      );
      return new Date(rows[0]!.updated_at);
    },
  };
}

export interface TagRuleSettingsOptions {
  store?: TagRuleStore;
  /** Told when a tenant's rules change: `leadflow serve`'s enrichment stage rereads them at once. */
  onChanged?: (tenantId: string) => void;
}

export type TagRuleSettings = ReturnType<typeof createTagRuleSettings>;

/**
 * GET / PUT /v1/tags/rules (gRPC GetTagRules, SetTagRules): the tenant's rules, read and replaced
 * whole, checked whole when saved (parseTagRules) so that a rule the stage could not evaluate is
 * never stored: a bad part answers INVALID_TAG_RULES naming it, and nothing changes.
 */
export function createTagRuleSettings(opts: TagRuleSettingsOptions = {}) {
  const store = (): TagRuleStore => {
    if (!opts.store) throw new GatewayError('INTERNAL', 'this gateway keeps no tag rules');
    return opts.store;
  };
  return {
    async getTagRules(tenantId: string): Promise<TagRulesView> {
      const found = await store().get(tenantId);
      if (!found) return { rules: [], updatedAt: null };
      let rules: TagRule[] = [];
      try {
        rules = parseTagRules(found.rules);
      } catch (err) {
        // Saved under an older check: shown as stored, so that its owner can fix it.
        if (!(err instanceof TagRuleError)) throw err;
        rules = found.rules as TagRule[];
      }
      return { rules, updatedAt: found.updatedAt.toISOString() };
    },

    async setTagRules(tenantId: string, body: unknown): Promise<TagRulesView> {
      const input = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
      const extra = input && Object.keys(input).find((k) => k !== 'rules');
      if (!input || !('rules' in input) || extra !== undefined) {
        throw new GatewayError('INVALID_TAG_RULES', `send {"rules": [...]}, the only field${extra ? `, not ${extra.slice(0, 40)}` : ''}`);
      }
      let rules: TagRule[];
      try {
        rules = parseTagRules(input.rules);
      } catch (err) {
        if (err instanceof TagRuleError) throw new GatewayError('INVALID_TAG_RULES', err.message);
        throw err;
      }
      const updatedAt = await store().save(tenantId, rules);
      opts.onChanged?.(tenantId);
      return { rules, updatedAt: updatedAt.toISOString() };
    },
  };
}
