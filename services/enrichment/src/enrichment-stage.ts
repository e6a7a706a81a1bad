import { Disposition } from '@leadflow/proto';
import { isOpen, reason, type BatchStage } from '@leadflow/pipeline';
import { windowMinutes, type CallingWindow } from './calling-window.js';
import { enrichLead } from './enrich-lead.js';
import { qualityScore } from './quality-score.js';
import { DEFAULT_QUALITY_SETTINGS, type QualitySettings } from './quality-settings.js';

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
}

/**
 * Derived facts about each open lead (docs/enrichment.md): email, phone, time zone and calling
 * window, industry, seniority and department, the email type as a tag (`email:free`), and the
 * quality score under the tenant's weights, with LOW_QUALITY under its threshold.
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
  return async (batch) => {
    const settings = await settingsOf(batch.job?.tenantId ?? '');
    const ctx = { now: now(), window: windowOf(settings.callingWindow), callable: new Map<string, 'true' | 'false' | ''>() };
    const { threshold, thresholdAction, weights } = settings;
    for (const row of batch.rows) {
      if (!isOpen(row) || !row.lead) continue;
      enrichLead(row.lead, ctx);
      if (row.lead.emailType) row.tags.push(`email:${row.lead.emailType}`);
      const quality = qualityScore(row.lead, row.tags.includes('possible_duplicate'), weights);
      row.qualityScore = quality.score;
      row.lead.quality = quality.detail;
      if (threshold > 0 && quality.score < threshold) {
        row.reasons.push(reason('LOW_QUALITY', 'quality_score', `score ${quality.score}, under the tenant's threshold of ${threshold}`));
        if (thresholdAction === 'error') row.disposition = Disposition.DISPOSITION_INVALID;
      }
    }
    return batch;
  };
}
