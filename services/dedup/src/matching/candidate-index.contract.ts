import { expect, it } from 'vitest';
import { MAX_BLOCK_SIZE, type CandidateIndex, type IndexRow } from './candidate-index.js';
import { toMatchRecord } from './record.js';

let tenants = 0;

/** A row of job `job` in the given blocks; its record carries the row number as the surname. */
const row = (job: string, n: number, blocks: string[]): IndexRow => ({
  entry: {
    owner: `${job}:${n}`, leadId: `lead-${job}-${n}`, jobId: job, rowNumber: n, time: 1_700_000_000_000 + n,
    record: toMatchRecord({
      firstName: 'Ann', lastName: `Row${n}`, fullName: '', email: `ann${n}@example.com`, emailKey: `ann${n}@example.com`, phone: '+14155550100',
      company: 'Acme', street: `${n} Forbes Street`, addressLine2: 'Unit 2', city: 'Perth', state: 'WA', postalCode: '6000',
    }),
  },
  blocks,
});

const owners = (found: { owner: string }[][]) => found.map((list) => list.map((e) => e.owner));

/**
 * What every CandidateIndex must do (in memory, Redis for the services, SQL for standalone
 * mode): the same tests run against each. Two indexes `make` returns hold the same entries, as
 * two processes on one Redis or one database do.
 */
export function candidateIndexContract(make: () => CandidateIndex) {
  const tenant = () => `contract-${process.pid}-${Date.now()}-${++tenants}`;

  it('gives each row the earlier entries of its blocks, most shared blocks first, and the entries as entered', async () => {
    const index = make();
    const t = tenant();
    await index.enter(t, [row('a', 1, ['x', 'y']), row('a', 2, ['y']), row('a', 3, ['z'])], 10, 10);
    const [found] = await index.enter(t, [row('b', 1, ['x', 'y', 'z'])], 10, 10);
    expect(found![0]).toEqual(row('a', 1, []).entry);
    expect(found!.slice(1).map((e) => e.owner).sort()).toEqual(['a:2', 'a:3']);
  });

  it('sees rows earlier in the same batch, never later ones, and bounds candidates per block and per row', async () => {
    const index = make();
    const t = tenant();
    const rows = Array.from({ length: 6 }, (_, i) => row('a', i + 1, ['same']));
    const found = owners(await index.enter(t, rows, 3, 2));
    expect(found[0]).toEqual([]);
    expect(found[1]).toEqual(['a:1']);
    expect(found[5]).toHaveLength(2);
    expect(found[5]!.every((o) => ['a:3', 'a:4', 'a:5'].includes(o))).toBe(true);
  });

  it('lets a row that enters again keep its place: it sees only what came before it the first time', async () => {
    const index = make();
    const t = tenant();
    await index.enter(t, [row('a', 1, ['k']), row('a', 2, ['k'])], 10, 10);
    await index.enter(t, [row('b', 1, ['k'])], 10, 10);
    const again = owners(await index.enter(t, [row('a', 2, ['k'])], 10, 10));
    expect(again).toEqual([['a:1']]);
  });

  it('keeps a row found duplicate as a candidate, naming its lead from then on', async () => {
    const index = make();
    const t = tenant();
    await index.enter(t, [row('a', 1, ['k']), row('a', 2, ['k'])], 10, 10);
    const lead = { leadId: 'lead-a-1', jobId: 'a', rowNumber: 1, time: 1_700_000_000_001 };
    await index.markDuplicates(t, [{ ...row('a', 2, []).entry, duplicateOf: lead }]);
    const [found] = await index.enter(t, [row('b', 1, ['k'])], 10, 10);
    expect(found!.map((e) => [e.owner, e.duplicateOf])).toEqual([
      ['a:2', lead],
      ['a:1', undefined],
    ]);
    // A row the index no longer holds (emptied since) is left out.
    await index.markDuplicates(t, [{ ...row('z', 1, []).entry, duplicateOf: lead }]);
    expect(owners(await index.enter(t, [row('b', 2, ['k'])], 10, 10))).toEqual([['b:1', 'a:2', 'a:1']]);
  });

  it("gives entries back with their alternate emails and phones, a duplicate's too", async () => {
    const index = make();
    const t = tenant();
    const withAlternates = (n: number): IndexRow => {
      const r = row('a', n, ['k']);
      return { ...r, entry: { ...r.entry, record: { ...r.entry.record, otherEmailKeys: [`alt${n}@example.com`], otherPhones: ['+14155550199'] } } };
    };
    await index.enter(t, [withAlternates(1), withAlternates(2)], 10, 10);
    const lead = { leadId: 'lead-a-1', jobId: 'a', rowNumber: 1, time: 1_700_000_000_001 };
    await index.markDuplicates(t, [{ ...withAlternates(2).entry, duplicateOf: lead }]);
    const [found] = await index.enter(t, [row('b', 1, ['k'])], 10, 10);
    expect(found).toEqual([{ ...withAlternates(2).entry, duplicateOf: lead }, withAlternates(1).entry]);
  });

  it(`keeps at most ${MAX_BLOCK_SIZE} entries a block, dropping the oldest`, async () => {
    const index = make();
    const t = tenant();
    const rows = Array.from({ length: MAX_BLOCK_SIZE + 5 }, (_, i) => row('a', i + 1, ['big']));
    await index.enter(t, rows, 0, 0);
    // A row entering again with the fifth place sees nothing older: the first five were dropped.
    expect(owners(await index.enter(t, [row('a', 6, ['big'])], 10, 10))).toEqual([[]]);
    expect(owners(await index.enter(t, [row('a', 7, ['big'])], 10, 10))).toEqual([['a:6']]);
  });

  it('orders rows entered at once by two processes: of two rows sharing a block, exactly one sees the other', async () => {
    const [one, two] = [make(), make()];
    const t = tenant();
    const batch = (job: string) => Array.from({ length: 50 }, (_, i) => row(job, i + 1, [`k${i}`]));
    const [a, b] = await Promise.all([one.enter(t, batch('a'), 10, 10), two.enter(t, batch('b'), 10, 10)]);
    for (let i = 0; i < 50; i++) {
      expect([...owners([a[i]!]), ...owners([b[i]!])].flat().sort(), `block k${i}`).toEqual([`${a[i]!.length ? 'b' : 'a'}:${i + 1}`]);
    }
  });

  it('keeps tenants apart, and says whether a tenant was built', async () => {
    const index = make();
    const [t1, t2] = [tenant(), tenant()];
    await index.enter(t1, [row('a', 1, ['k'])], 10, 10);
    expect(owners(await index.enter(t2, [row('b', 1, ['k'])], 10, 10))).toEqual([[]]);
    expect(await index.isBuilt(t1)).toBe(false);
    await index.markBuilt(t1);
    expect(await index.isBuilt(t1)).toBe(true);
    expect(await index.isBuilt(t2)).toBe(false);
    expect(await index.lockRebuild(t2)).toBe(true);
    expect(await index.lockRebuild(t2)).toBe(false);
    await index.unlockRebuild(t2);
    expect(await index.lockRebuild(t2)).toBe(true);
    await index.unlockRebuild(t2);
  });

  it('forgets one tenant when asked, and only that one, whatever its name holds', async () => {
    const index = make();
    const first = `${tenant()}*`;
    // The first name read as a Redis pattern would match the second.
    const second = `${first.slice(0, -1)}-other`;
    await index.enter(first, [row('a', 1, ['k'])], 10, 10);
    await index.enter(second, [row('a', 1, ['k'])], 10, 10);
    await index.markBuilt(first);
    await index.clear(first);
    expect(await index.isBuilt(first)).toBe(false);
    expect(owners(await index.enter(first, [row('b', 1, ['k'])], 10, 10))).toEqual([[]]);
    expect(owners(await index.enter(second, [row('b', 1, ['k'])], 10, 10))).toEqual([['a:1']]);
  });
}
