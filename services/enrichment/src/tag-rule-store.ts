import { compileTagRules, NO_TAG_RULES, parseTagRules, type CompiledTagRules } from '@leadflow/pipeline';
import { createReloadingCache, type SqlClient } from '@leadflow/stores';

/** A tenant's tag rules, compiled, as the enrichment stage asks for them per batch. */
export interface TagRuleSource {
  (tenantId: string): Promise<CompiledTagRules>;
  /** Reads the tenant's rules again at its next batch (a change made in this process: `leadflow serve`). */
  forget(tenantId: string): void;
}

/** How long a replica keeps a tenant's rules before reading them again: the bound within which a change applies. */
export const TAG_RULES_RELOAD_MS = 30_000;

/**
 * The rules tenants set over the API (table tag_rules, the gateway's, migration 013), each
 * tenant's read at most every `ttlMs` and compiled once, in PostgreSQL and PGlite alike. Rules
 * were checked when saved; a row that no longer parses (a field renamed since) is read as none
 * rather than stopping the stage.
 */
export function createSqlTagRules(db: SqlClient, opts: { ttlMs?: number; onUnreadable?: (tenantId: string, err: Error) => void } = {}): TagRuleSource {
  const cache = createReloadingCache(
    async (tenantId: string): Promise<CompiledTagRules> => {
      let rows: { rules: unknown }[] = [];
      try {
        rows = (await db.query<{ rules: unknown }>('SELECT rules FROM tag_rules WHERE tenant_id = $1', [tenantId])).rows;
      } catch (err) {
        // Before the gateway has created its table there are no rules yet.
        if ((err as { code?: string }).code !== '42P01') throw err;
      }
      if (rows.length === 0) return NO_TAG_RULES;
      try {
        return compileTagRules(parseTagRules(rows[0]!.rules));
      } catch (err) {
        opts.onUnreadable?.(tenantId, err as Error);
        return NO_TAG_RULES;
      }
    },
    { ttlMs: opts.ttlMs ?? TAG_RULES_RELOAD_MS },
  );
  const source = (tenantId: string) => cache.get(tenantId);
  source.forget = (tenantId: string) => cache.forget(tenantId);
  return source;
}
