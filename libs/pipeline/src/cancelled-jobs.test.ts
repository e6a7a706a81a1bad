import { describe, expect, it } from 'vitest';
import { createCancelledJobs, skipCancelled } from './cancelled-jobs.js';
import { isFanout } from './stage.js';

/** A lookup that answers from a set of cancelled jobs and counts how often it was asked. */
function lookupOf(cancelled: Set<string>) {
  const asked: string[] = [];
  return { asked, lookup: async (jobId: string) => (asked.push(jobId), cancelled.has(jobId)) };
}

describe('the cancelled-jobs check', () => {
  it('asks once for a cancelled job, and never again: a cancel is final', async () => {
    const { asked, lookup } = lookupOf(new Set(['j1']));
    const check = createCancelledJobs(lookup);
    for (let i = 0; i < 5; i++) expect(await check.isCancelled('j1')).toBe(true);
    expect(asked).toEqual(['j1']);
  });

  it('believes "not cancelled" for about a second, then sees a cancel made meanwhile', async () => {
    let clock = 0;
    const marks = new Set<string>();
    const { asked, lookup } = lookupOf(marks);
    const check = createCancelledJobs(lookup, { now: () => clock });
    expect(await check.isCancelled('j1')).toBe(false);
    marks.add('j1');
    clock = 999;
    expect(await check.isCancelled('j1')).toBe(false);
    clock = 1001;
    expect(await check.isCancelled('j1')).toBe(true);
    expect(asked).toEqual(['j1', 'j1']);
  });

  it('shares one lookup between checks of a job made at once', async () => {
    const { asked, lookup } = lookupOf(new Set());
    const check = createCancelledJobs(lookup);
    expect(await Promise.all([check.isCancelled('j1'), check.isCancelled('j1'), check.isCancelled('j1')])).toEqual([false, false, false]);
    expect(asked).toEqual(['j1']);
  });

  it('looks up the jobs it does not know together, and answers the known ones from its cache', async () => {
    const { asked, lookup } = lookupOf(new Set(['j1']));
    const many: string[][] = [];
    const check = createCancelledJobs(lookup, { lookupMany: async (ids) => (many.push([...ids]), new Set(ids.filter((id) => id === 'j1' || id === 'j3'))) });
    expect(await check.isCancelled('j1')).toBe(true);
    expect(await check.isCancelled('j2')).toBe(false);
    expect([...(await check.cancelledAmong(['j1', 'j2', 'j3', 'j4', 'j3']))].sort()).toEqual(['j1', 'j3']);
    expect(many).toEqual([['j3', 'j4']]);
    // What the batch found is cached as a single look-up's answer is.
    expect([await check.isCancelled('j3'), await check.isCancelled('j4')]).toEqual([true, false]);
    expect(asked).toEqual(['j1', 'j2']);
  });

  it('without a batch look-up, asks each unknown job on its own', async () => {
    const { asked, lookup } = lookupOf(new Set(['j2']));
    const check = createCancelledJobs(lookup);
    expect([...(await check.cancelledAmong(['j1', 'j2']))]).toEqual(['j2']);
    expect(asked.sort()).toEqual(['j1', 'j2']);
  });

  it('takes a job its caller just made as not cancelled, for as long as a look-up\'s "no"', async () => {
    let clock = 0;
    const { asked, lookup } = lookupOf(new Set(['j1']));
    const check = createCancelledJobs(lookup, { now: () => clock });
    check.notCancelledNow('j1');
    expect(await check.isCancelled('j1')).toBe(false);
    clock = 1001;
    expect(await check.isCancelled('j1')).toBe(true);
    // A cancel seen is final.
    check.notCancelledNow('j1');
    expect(await check.isCancelled('j1')).toBe(true);
    expect(asked).toEqual(['j1']);
  });

  it("drops a cancelled job's batch before the stage runs, and runs the others", async () => {
    const ran: string[] = [];
    const stage = skipCancelled(async (b: { job: { jobId: string } }) => (ran.push(b.job.jobId), b), createCancelledJobs(lookupOf(new Set(['gone'])).lookup));
    const dropped = await stage({ job: { jobId: 'gone' } });
    expect([isFanout(dropped), isFanout(dropped) && dropped.outputs.length]).toEqual([true, 0]);
    expect(await stage({ job: { jobId: 'kept' } })).toEqual({ job: { jobId: 'kept' } });
    expect(ran).toEqual(['kept']);
  });
});
