import { isOpen, type BatchStage } from '@leadflow/pipeline';
import { emailType } from './email-type.js';

/** Derived facts about each open lead: for now the email provider type, as a field and a tag. */
export function createEnrichmentStage(): BatchStage {
  return async (batch) => {
    for (const row of batch.rows) {
      if (!isOpen(row) || !row.lead) continue;
      const type = emailType(row.lead.email);
      row.lead.emailType = type;
      if (type) row.tags.push(`email:${type}`);
    }
    return batch;
  };
}
