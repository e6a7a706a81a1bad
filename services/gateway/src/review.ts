import { matchFieldsOf, toMatchRecord, type CandidateIndex, type IndexEntry } from '@leadflow/dedup';
import type { Logger } from '@leadflow/logger';
import { decidePossibleDuplicate, listPossibleDuplicates, type MergeRecord, type MovedLead } from '@leadflow/persistence';
import type { SqlClient } from '@leadflow/stores';
import type { JobServiceOptions } from './job-service.js';

/**
 * Possible duplicates for the job service, read and decided in PostgreSQL. A row decided a
 * duplicate is marked so in the dedup service's blocking index too, so that a later copy of it
 * is a duplicate of its lead at once, not only after the index is next rebuilt.
 */
export function possibleDuplicateReview(
  db: SqlClient,
  index: CandidateIndex | undefined,
  logger: Logger,
  /** In the decision's transaction, when it merged the row and that changed the lead (delivery's lead.updated). */
  onMerged?: (tx: SqlClient, merge: MergeRecord, tenantId: string) => Promise<void>,
): NonNullable<JobServiceOptions['possibleDuplicates']> {
  return {
    list: (tenantId, query) => listPossibleDuplicates(db, tenantId, query),
    async decide(leadId, tenantId, decision) {
      const result = await decidePossibleDuplicate(db, leadId, tenantId, decision, onMerged && ((tx, merge) => onMerged(tx, merge, tenantId)));
      if (result.status === 'decided' && result.moved && index) {
        // The decision stands (it is in PostgreSQL, the truth); the index catches up on its next rebuild.
        await index
          .markDuplicates(tenantId, [indexEntry(leadId, result.moved)])
          .catch((err: unknown) => logger.warn({ err, tenantId }, 'a reviewed duplicate could not be marked in the dedup index'));
      }
      return result;
    },
  };
}

/** The moved row as the dedup index holds it, now naming the lead it copies. */
function indexEntry(leadId: string, moved: MovedLead): IndexEntry {
  const { into } = moved;
  return {
    owner: `${moved.jobId}:${moved.rowNumber}`, leadId, jobId: moved.jobId, rowNumber: moved.rowNumber, time: Date.parse(moved.storedAt),
    record: toMatchRecord(matchFieldsOf(moved.fields)),
    duplicateOf: { leadId: into.leadId, jobId: into.jobId, rowNumber: into.rowNumber, time: Date.parse(into.storedAt) },
  };
}
