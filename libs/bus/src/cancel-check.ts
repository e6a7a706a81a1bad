import { shared, type ConfigOf } from '@leadflow/config';
import type { Lifecycle } from '@leadflow/lifecycle';
import { createCancelledJobs, type CancelledJobs } from '@leadflow/pipeline';
import { createPostgres, databaseModule, sqlCancelLookup, sqlCancelLookupMany } from '@leadflow/stores';

/** What a service reads to see cancelled jobs: the database that holds the gateway's jobs table. */
export const cancelSchema = { databaseUrl: shared.databaseUrl() } as const;

/**
 * The cancelled-jobs check of a Kafka service (docs/job-cancel.md): a small pool of its own, so
 * that a stage's own queries never wait behind it, nor it behind them.
 */
export function cancelledJobsFromConfig(config: ConfigOf<typeof cancelSchema>, name: string, lifecycle: Pick<Lifecycle, 'add'>): CancelledJobs {
  const db = createPostgres({ url: config.databaseUrl, maxConnections: 2, applicationName: `leadflow-${name}-cancel` });
  lifecycle.add(databaseModule(db));
  return createCancelledJobs(sqlCancelLookup(db), { lookupMany: sqlCancelLookupMany(db) });
}
