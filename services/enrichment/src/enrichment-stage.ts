import { Disposition, type LeadRow } from '@leadflow/proto';
import { isOpen, LEAD_COLUMNS, NO_TAG_RULES, reason, type BatchStage, type CompiledTagRules } from '@leadflow/pipeline';
import { windowMinutes, type CallingWindow } from './calling-window.js';
import { createEnrichCaches, enrichLead } from './enrich-lead.js';
import { pushBuiltInTags } from './lead-tags.js';
import { qualityScorer } from './quality-score.js';
import { DEFAULT_QUALITY_SETTINGS, QUALITY_COMPONENTS, type QualityComponent, type QualitySettings } from './quality-settings.js';

export interface EnrichmentStageOptions {
  /**
   * Each tenant's settings (createSqlQualitySettings): the quality weights and threshold, and
   * the calling window. @default DEFAULT_QUALITY_SETTINGS for every tenant
   */
  settings?: QualitySettings | ((tenantId: string) => Promise<QualitySettings>);
  /** The calling window of every tenant, when `settings` is not given. @default DEFAULT_CALLING_WINDOW (08:00–21:00) */
  callingWindow?: CallingWindow;
  /** The clock; tests pass a fixed one. @default () => new Date() */
  now?: () => Date;
  /** The tenant's tag rules, compiled (createSqlTagRules: table tag_rules). @default none */
  tagRules?: (tenantId: string) => Promise<CompiledTagRules>;
  /**
   * Entries kept by each of enrichment's caches of answers by key (email domain, phone prefix,
   * job title, company…; least recently used out). @default DEFAULT_ENRICH_CACHE_SIZE (20,000)
   */
  cacheSize?: number;
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
 * window, industry, seniority and department; the quality score under the tenant's weights, with
 * LOW_QUALITY under its threshold; then its tags (docs/tags-and-scorecards.md): the built-in ones
 * from those fields and its exclusivity, then the tenant's rules in their order, each tag once.
 */
export function createEnrichmentStage(options: EnrichmentStageOptions = {}): BatchStage {
  const fixed = typeof options.settings === 'object' ? options.settings : undefined;
  const defaults: QualitySettings = fixed ?? { ...DEFAULT_QUALITY_SETTINGS, callingWindow: options.callingWindow ?? DEFAULT_QUALITY_SETTINGS.callingWindow };
  const settingsOf = typeof options.settings === 'function' ? options.settings : async () => defaults;
  const now = options.now ?? (() => new Date());
  const windows = new Map<string, [number, number]>();
  const windowOf = ({ start, end }: CallingWindow) => {
    const key = `${start}-${end}`;
    let w = windows.get(key);
    if (!w) windows.set(key, (w = windowMinutes({ start, end })));
    return w;
  };
  windowOf(defaults.callingWindow); // a malformed option fails at start, not at the first batch
  const caches = createEnrichCaches(options.cacheSize);
  // A scorer by weights (their values): the scores of a combination are built once, not once a batch.
  const scorers = new Map<string, ReturnType<typeof qualityScorer>>();
  return async (batch) => {
    const tenantId = batch.job?.tenantId ?? '';
    const settings = await settingsOf(tenantId);
    const ctx = { now: now(), window: windowOf(settings.callingWindow), callable: new Map<string, 'true' | 'false' | ''>(), caches };
    const { threshold, thresholdAction, weights } = settings;
    const weightsKey = Object.keys(QUALITY_COMPONENTS).map((c) => weights[c as QualityComponent]).join(',');
    let scoreOf = scorers.get(weightsKey);
    if (!scoreOf) {
      if (scorers.size >= 100) scorers.clear();
      scorers.set(weightsKey, (scoreOf = qualityScorer(weights)));
    }
    const rules = options.tagRules && batch.job ? await options.tagRules(tenantId) : NO_TAG_RULES;
    const supplier = batch.job?.supplier ?? '';
    for (const row of batch.rows) {
      if (!isOpen(row) || !row.lead) continue;
      enrichLead(row.lead, ctx);
      const quality = scoreOf(row.lead, row.tags.includes('possible_duplicate'));
      row.qualityScore = quality.score;
      row.lead.quality = quality.detail;
      if (threshold > 0 && quality.score < threshold) {
        row.reasons.push(reason('LOW_QUALITY', 'quality_score', `score ${quality.score}, under the tenant's threshold of ${threshold}`));
        if (thresholdAction === 'error') row.disposition = Disposition.DISPOSITION_INVALID;
      }
      // After the score and exclusivity, which the tags and the rules may test.
      pushBuiltInTags(row.tags, row.lead, row.lead.exclusivity);
      if (rules.size > 0) rules.apply({ fields: ruleFields(row, supplier), tags: row.tags, quality: row.qualityScore });
    }
    return batch;
  };
}
