import type { CancelledJobs } from '@leadflow/pipeline';
import type { Claim, ClaimConflict, FingerprintStore } from '@leadflow/stores';
import type { StoredLeads } from './stored-leads.js';

/** Rounds of taking keys over from stale owners: each frees every key of one owner of the row. */
const MAX_ROUNDS = 4;

/**
 * Which of these owners (`jobId:rowNumber`) will never be a lead: rows of a cancelled job that
 * were not stored (docs/job-cancel.md). Once a job's cancel mark is seen, persistence stores
 * nothing more of it, so what is not stored then never will be. Jobs not cancelled cost a cache
 * read, the jobs not in the cache one look-up
 * for all of them; only a cancelled job's rows are looked up.
 */
export function createStaleOwners(cancelled: CancelledJobs | undefined, leads: Pick<StoredLeads, 'neverStored'>) {
  return async function staleOwners(owners: Iterable<string>): Promise<Set<string>> {
    const stale = new Set<string>();
    if (!cancelled) return stale;
    const byJob = new Map<string, number[]>();
    for (const owner of owners) {
      const sep = owner.lastIndexOf(':');
      const job = owner.slice(0, sep);
      byJob.set(job, [...(byJob.get(job) ?? []), Number(owner.slice(sep + 1))]);
    }
    if (byJob.size === 0) return stale;
    const gone = await cancelled.cancelledAmong(byJob.keys());
    for (const [job, rows] of byJob) {
      if (!gone.has(job)) continue;
      for (const row of await leads.neverStored(job, rows)) stale.add(`${job}:${row}`);
    }
    return stale;
  };
}

export type StaleOwners = ReturnType<typeof createStaleOwners>;

/**
 * FingerprintStore.claim, where a key held by a stale owner (a row of a cancelled job that was
 * never stored) is taken over instead of making the row a duplicate of a lead that does not exist.
 */
export async function claimOverStale(
  fingerprints: FingerprintStore,
  tenantId: string,
  claims: readonly Claim[],
  staleOwners: StaleOwners,
): Promise<(ClaimConflict | null)[]> {
  const result = await fingerprints.claim(tenantId, claims);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const conflicted = result.flatMap((c, i) => (c ? [i] : []));
    if (conflicted.length === 0) break;
    const stale = await staleOwners(conflicted.map((i) => result[i]!.owner));
    const retry = conflicted.filter((i) => stale.has(result[i]!.owner));
    if (retry.length === 0) break;
    await fingerprints.release(tenantId, retry.map((i) => ({ owner: result[i]!.owner, keys: claims[i]!.keys })));
    const again = await fingerprints.claim(tenantId, retry.map((i) => claims[i]!));
    retry.forEach((i, j) => (result[i] = again[j]!));
  }
  return result;
}
