import type { DncScreening, DncTarget } from './dnc-lists.js';
import type { DncFilePart } from './dnc-file-source.js';
import { createSqlDncLists } from './sql-dnc-lists.js';
import { dncListSummaries, loadDncList, type DncListSummary, type DncLoadRequest, type DncLoadResult } from './sql-dnc-load.js';
import type { SqlClient } from './sql-client.js';

/**
 * The Do-Not-Call lists a number is screened against (docs/dnc-lists.md): the lists shared by
 * every tenant (the national list) and the tenant's own (its internal list), never another
 * tenant's. PostgreSQL holds them; the services screen against a Redis copy of them.
 */
export interface DncRegistry {
  /**
   * Adds E.164 numbers to the national list, or to `list.tenantId`'s internal list; returns how
   * many were not on that list before. `source` names who added them in the list's changes.
   */
  add(numbers: readonly string[], list?: DncTarget, source?: string): Promise<number>;
  /**
   * The tenant's lists as they stand and, for each E.164 number, the indexes of those it is on;
   * every list whole at one version (never half-loaded).
   */
  screen(numbers: readonly string[], tenantId: string): Promise<DncScreening>;
  /**
   * Loads files into a list, streaming (docs/dnc-lists.md, "Import"): added, replacing it whole,
   * or as a change list. The new version is in force, and screened against, when it resolves.
   */
  load(req: DncLoadRequest, parts: AsyncIterable<DncFilePart>): Promise<DncLoadResult>;
  /** Every list a tenant's numbers are screened against, with size, snapshot date and age. */
  lists(tenantId: string): Promise<DncListSummary[]>;
}

/** Thrown when a list could not be made whole in the cache in time: the batch waits and is retried, never passed as clean. */
export class DncListsNotReady extends Error {
  readonly code = 'DNC_LISTS_LOADING';
  constructor(lists: readonly string[]) {
    super(`the Do-Not-Call lists ${lists.join(', ')} are being loaded into Redis; the batch waits for them`);
    this.name = 'DncListsNotReady';
  }
}

/** Standalone mode: the lists screened straight in the database (embedded or DATABASE_URL), which keeps them between runs. */
export function createSqlDncRegistry(db: SqlClient): DncRegistry {
  const lists = createSqlDncLists(db);
  return {
    async add(numbers, list, source = 'api') {
      return (await lists.add(numbers, list, source)).added;
    },
    screen: (numbers, tenantId) => lists.screen(numbers, tenantId),
    load: (req, parts) => loadDncList(db, req, parts),
    lists: (tenantId) => dncListSummaries(db, tenantId),
  };
}
