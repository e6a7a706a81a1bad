import { isOpen, LEAD_COLUMNS, NO_TAG_RULES, type BatchStage, type CompiledTagRules } from '@leadflow/pipeline';
import type { LeadRow } from '@leadflow/proto';
import { DEFAULT_CALLING_WINDOW, windowMinutes, type CallingWindow } from './calling-window.js';
import { enrichLead } from './enrich-lead.js';
import { builtInTags } from './lead-tags.js';

export interface EnrichmentStageOptions {
  /** Local hours in which a lead may be called, for callable_now. @default DEFAULT_CALLING_WINDOW (08:00–21:00) */
  callingWindow?: CallingWindow;
  /** The clock; tests pass a fixed one. @default () => new Date() */
  now?: () => Date;
  /** The tenant's tag rules, compiled (createSqlTagRules: table tag_rules). @default none */
  tagRules?: (tenantId: string) => Promise<CompiledTagRules>;
}

/** What a tag rule reads of a row: its canonical fields and its supplier, by name. */
function ruleFields(row: LeadRow, supplier: string): Record<string, string> {
  const fields: Record<string, string> = { supplier };
  const lead = row.lead!;
  for (const [column, key] of LEAD_COLUMNS) fields[column] = lead[key];
  return fields;
}

/**
 * Derived facts about each open lead (docs/enrichment.md): email, phone, time zone and calling
 * window, industry, seniority and department; then its tags (docs/tags-and-scorecards.md): the
 * built-in ones from those fields, then the tenant's rules in their order, each tag once.
 */
export function createEnrichmentStage(options: EnrichmentStageOptions = {}): BatchStage {
  const window = windowMinutes(options.callingWindow ?? DEFAULT_CALLING_WINDOW);
  const now = options.now ?? (() => new Date());
  return async (batch) => {
    const ctx = { now: now(), window, callable: new Map<string, 'true' | 'false' | ''>() };
    const rules = options.tagRules && batch.job ? await options.tagRules(batch.job.tenantId) : NO_TAG_RULES;
    const supplier = batch.job?.supplier ?? '';
    for (const row of batch.rows) {
      if (!isOpen(row) || !row.lead) continue;
      enrichLead(row.lead, ctx);
      // The quality score and exclusivity (issue 15's score work) are set before the tags, which may
      // test them: pass the row's exclusivity to builtInTags here once it is on the row.
      for (const tag of builtInTags(row.lead)) if (!row.tags.includes(tag)) row.tags.push(tag);
      if (rules.size > 0) rules.apply({ fields: ruleFields(row, supplier), tags: row.tags, quality: row.qualityScore });
    }
    return batch;
  };
}
