import { describe, expect, it } from 'vitest';
import { sqlCancelLookup, sqlCancelLookupMany } from './cancel-lookup.js';
import { createLocalCancels } from './local-cancels.js';
import type { SqlClient } from './sql-client.js';

/** A database whose jobs table says `cancelled`, counting the statements asked. */
function fakeDb(cancelled: Set<string>) {
  const asked: string[][] = [];
  const db = {
    kind: 'pglite',
    async query(_text: string, params: unknown[]) {
      const ids = Array.isArray(params[0]) ? (params[0] as string[]) : [params[0] as string];
      asked.push(ids);
      if (Array.isArray(params[0])) return { rows: ids.filter((id) => cancelled.has(id)).map((id) => ({ id })), rowCount: 0 };
      return { rows: [{ cancelled: cancelled.has(ids[0]!) }], rowCount: 1 };
    },
  } as unknown as SqlClient;
  return { db, asked };
}

describe('local cancel marks', () => {
  it('answers for a job made here without asking, and sees a cancel made here at once', async () => {
    const marks = new Set<string>();
    const { db, asked } = fakeDb(marks);
    const local = createLocalCancels();
    const isCancelled = sqlCancelLookup(db, local);
    local.made('j1');
    expect(await isCancelled('j1')).toBe(false);
    expect(asked).toEqual([]);
    local.cancelling('j1');
    marks.add('j1');
    // Under way: the database answers (it waits for the cancel's transaction).
    expect(await isCancelled('j1')).toBe(true);
    expect(asked).toEqual([['j1']]);
    local.cancelEnded('j1', true);
    marks.delete('j1');
    expect(await isCancelled('j1')).toBe(true);
    expect(asked).toHaveLength(1);
  });

  it('asks the database about a job not made here, and after a cancel that failed', async () => {
    const marks = new Set(['old']);
    const { db, asked } = fakeDb(marks);
    const local = createLocalCancels();
    const isCancelled = sqlCancelLookup(db, local);
    expect(await isCancelled('old')).toBe(true);
    local.made('j2');
    local.cancelling('j2');
    local.cancelEnded('j2', undefined);
    expect(await isCancelled('j2')).toBe(false);
    expect(asked).toEqual([['old'], ['j2']]);
    // A cancel that found the job ended leaves it as it was.
    local.made('j3');
    local.cancelling('j3');
    local.cancelEnded('j3', false);
    expect(await isCancelled('j3')).toBe(false);
    expect(asked).toHaveLength(2);
  });

  it('asks only about the jobs it does not know, for several', async () => {
    const { db, asked } = fakeDb(new Set(['x']));
    const local = createLocalCancels();
    local.made('a');
    local.made('b');
    local.cancelling('b');
    local.cancelEnded('b', true);
    expect([...(await sqlCancelLookupMany(db, local)(['a', 'b', 'x', 'y']))].sort()).toEqual(['b', 'x']);
    expect(asked).toEqual([['x', 'y']]);
    expect([...(await sqlCancelLookupMany(db, local)(['a', 'b']))]).toEqual(['b']);
    expect(asked).toHaveLength(1);
  });

  it('remembers at most `max` jobs, the newest', async () => {
    const { db, asked } = fakeDb(new Set());
    const local = createLocalCancels(2);
    for (const id of ['1', '2', '3']) local.made(id);
    const isCancelled = sqlCancelLookup(db, local);
    for (const id of ['1', '2', '3']) expect(await isCancelled(id)).toBe(false);
    expect(asked).toEqual([['1']]);
  });
});
