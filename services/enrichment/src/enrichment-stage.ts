import { isOpen, type BatchStage } from '@leadflow/pipeline';
import { DEFAULT_CALLING_WINDOW, windowMinutes, type CallingWindow } from './calling-window.js';
import { enrichLead } from './enrich-lead.js';

export interface EnrichmentStageOptions {
  /** Local hours in which a lead may be called, for callable_now. @default DEFAULT_CALLING_WINDOW (08:00–21:00) */
  callingWindow?: CallingWindow;
  /** The clock; tests pass a fixed one. @default () => new Date() */
  now?: () => Date;
}

/**
 * Derived facts about each open lead (docs/enrichment.md): email, phone, time zone and calling
 * window, industry, seniority and department, and the email type as a tag (`email:free`).
 */
export function createEnrichmentStage(options: EnrichmentStageOptions = {}): BatchStage {
  const window = windowMinutes(options.callingWindow ?? DEFAULT_CALLING_WINDOW);
  const now = options.now ?? (() => new Date());
  return async (batch) => {
    const ctx = { now: now(), window, callable: new Map<string, 'true' | 'false' | ''>() };
    for (const row of batch.rows) {
      if (!isOpen(row) || !row.lead) continue;
      enrichLead(row.lead, ctx);
      if (row.lead.emailType) row.tags.push(`email:${row.lead.emailType}`);
    }
    return batch;
  };
}
