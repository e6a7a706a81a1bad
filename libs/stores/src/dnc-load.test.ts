import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kindsOn } from './dnc-registry.contract.js';
import {
  createPglite, createSqlDncRegistry, DncLineReader, dncFileParts, DncLoadError, dncListMigrations, migrate, type DncFilePart, type DncListKind,
  type DncLoadMode, type DncRegistry, type SqlClient,
} from './index.js';

/** The slow path of a real caller (libphonenumber) is not a dependency of the stores: a stand-in for "+44 ..." spellings. */
const normalize = (text: string) => (/^\+44[\d ]+$/.test(text) ? text.replace(/ /g, '') : undefined);

async function* parts(files: Record<string, string | Buffer>): AsyncGenerator<DncFilePart> {
  for (const [name, body] of Object.entries(files)) yield* dncFileParts(name, [typeof body === 'string' ? Buffer.from(body) : body]);
}

function readLines(text: string, changes = false) {
  const seen: string[] = [];
  const bad: string[] = [];
  const r = new DncLineReader(
    {
      nanp: (a, s, op) => seen.push(`${op === 'delete' ? '-' : ''}+1${a}${String(s).padStart(7, '0')}`),
      other: (e, op) => seen.push(`${op === 'delete' ? '-' : ''}${e}`),
      bad: (line, problem) => bad.push(`${line}: ${problem}`),
    },
    { changes, normalize },
  );
  // Cut the text at every third byte: lines across chunks are read whole.
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += 3) r.push(bytes.subarray(i, i + 3));
  r.end();
  return { seen, bad };
}

describe('the lines of a Do-Not-Call file', () => {
  it('reads a number in every common spelling, and the FTC flat file line', () => {
    const { seen, bad } = readLines(
      '\uFEFFphone\n2015550123\n(201) 555-0124\n+1 201 555 0125\n1-201-555-0126\r\n201.555.0127\n"201/555-0128"\n201,5550129\n  # a comment\n\n+44 20 7946 0958\n',
    );
    expect(seen).toEqual(['+12015550123', '+12015550124', '+12015550125', '+12015550126', '+12015550127', '+12015550128', '+12015550129', '+442079460958']);
    expect(bad).toEqual([]);
  });

  it('reads whole chunks of FTC and ten-digit lines in place, and hands any other line to the full reader', () => {
    const seen: string[] = [];
    const bad: string[] = [];
    const r = new DncLineReader(
      {
        nanp: (a, s) => seen.push(`+1${a}${String(s).padStart(7, '0')}`),
        other: (e) => seen.push(e),
        bad: (line, problem) => bad.push(`${line}: ${problem}`),
      },
      { changes: false, normalize },
    );
    r.push(Buffer.from('201,5550123\n2015550124\r\n201,0550125\n201,555012x\n(201) 555-0126\n201,5550127\r\n1201,5550128\n2015'));
    r.push(Buffer.from('550129\n201,5550130'));
    r.end();
    expect(seen).toEqual(['+12015550123', '+12015550124', '+12015550126', '+12015550127', '+12015550129', '+12015550130']);
    expect(bad).toEqual([
      '3: not a North American number: its area code and exchange start with 2 to 9',
      '4: not a phone number',
      '7: not a phone number',
    ]);
  });

  it('names each line that holds no number, and why', () => {
    expect(readLines('2015550123\nhello\n0015550123\n201555012\n2010550123\n').bad).toEqual([
      '2: holds no number',
      '3: not a North American number: its area code and exchange start with 2 to 9',
      '4: not a phone number',
      '5: not a North American number: its area code and exchange start with 2 to 9',
    ]);
  });

  it('reads a change list: A adds, D deletes, a line that says neither is a problem', () => {
    const { seen, bad } = readLines('201,5550123,A,2026-12-01\n2015550124,D,2026-12-01\n201,5550125,deleted\n201,5550126,2026-12-01\n', true);
    expect(seen).toEqual(['+12015550123', '-+12015550124', '-+12015550125']);
    expect(bad).toEqual(['4: a change list line says A (added) or D (deleted) after the number']);
  });
});

describe('loading Do-Not-Call lists (PGlite)', () => {
  let db: SqlClient;
  let registry: DncRegistry;
  let dir: string;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, dncListMigrations);
    registry = createSqlDncRegistry(db);
    dir = mkdtempSync(join(tmpdir(), 'dnc-load-'));
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const load = (kind: DncListKind, mode: DncLoadMode, files: Record<string, string | Buffer>, owner = '', snapshotDate?: string) =>
    registry.load({ kind, owner, mode, source: 'test', snapshotDate, normalize }, parts(files));

  it('replaces a list whole from gzip, zip and plain files at once, with its snapshot date', async () => {
    writeFileSync(join(dir, '201.txt'), '201,5550101\n201,5550102\n');
    writeFileSync(join(dir, '212.txt'), '212,5550103\n');
    execFileSync('zip', ['-q', '-j', join(dir, 'two.zip'), join(dir, '201.txt'), join(dir, '212.txt')]);
    const result = await load('national', 'replace', {
      'two.zip': readFileSync(join(dir, 'two.zip')),
      'more.txt.gz': gzipSync('(415) 555-0104\n+44 20 7946 0958\n'),
      'plain.txt': '4155550105\n',
    }, '', '2026-11-30');
    expect([result.numbers, result.size, result.head.snapshotDate, result.badLines]).toEqual([6, 6, '2026-11-30', 0]);
    const s = await registry.screen(['+12015550101', '+12125550103', '+14155550104', '+442079460958', '+14155550105', '+14155550106'], 'a');
    expect(kindsOn(s)).toEqual([['national'], ['national'], ['national'], ['national'], ['national'], []]);

    // A second replacement: the numbers of the first that it lacks are gone.
    const again = await load('national', 'replace', { 'x.txt': '2015550101\n' }, '', '2026-12-01');
    expect([again.size, again.removed, again.head.version]).toEqual([1, 6, result.head.version + 1]);
    expect(kindsOn(await registry.screen(['+12015550101', '+12125550103'], 'a'))).toEqual([['national'], []]);
    const lists = await registry.lists('a');
    expect(lists.find((l) => l.kind === 'national')).toMatchObject({ size: 1, snapshotDate: '2026-12-01', shared: true, version: again.head.version });
  });

  it('applies a change list to the version in force: additions and deletions', async () => {
    await load('litigator', 'replace', { 'l.txt': '2015550201\n2015550202\n' }, '', '2026-11-01');
    const r = await load('litigator', 'changes', { 'c.txt': '201,5550201,D,2026-11-02\n201,5550203,A,2026-11-02\n' }, '', '2026-11-02');
    expect([r.added, r.removed, r.size, r.head.snapshotDate]).toEqual([1, 1, 2, '2026-11-02']);
    expect(kindsOn(await registry.screen(['+12015550201', '+12015550202', '+12015550203'], 'a'))).toEqual([[], ['litigator'], ['litigator']]);
  });

  it("keeps a tenant's internal list its own; shared lists are every tenant's", async () => {
    await load('internal', 'add', { 'i.txt': '3125550301\n' }, 'tenant-a');
    await load('state:TX', 'replace', { 's.txt': '3125550302\n' }, '', '2026-11-20');
    expect(kindsOn(await registry.screen(['+13125550301', '+13125550302'], 'tenant-a'))).toEqual([['internal'], ['state:TX']]);
    expect(kindsOn(await registry.screen(['+13125550301', '+13125550302'], 'tenant-b'))).toEqual([[], ['state:TX']]);
    expect((await registry.lists('tenant-b')).some((l) => l.kind === 'internal')).toBe(false);
  });

  it('refuses a replacement of bad lines, keeping the list in force, and names the lines', async () => {
    const before = (await registry.lists('a')).find((l) => l.kind === 'national')!;
    const bad = Array.from({ length: 30 }, (_, i) => `junk ${i}`).join('\n');
    const err = await load('national', 'replace', { 'bad.txt': `2015550101\n${bad}\n` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DncLoadError);
    expect((err as DncLoadError).code).toBe('DNC_IMPORT_INVALID');
    expect((err as DncLoadError).problems[0]).toEqual({ file: 'bad.txt', line: 2, problem: 'not a phone number' });
    expect((await registry.lists('a')).find((l) => l.kind === 'national')).toEqual(before);
    // Nothing of it left behind: only the generation in force has rows.
    const { rows } = await db.query<{ n: number }>(`SELECT count(DISTINCT b.generation)::int AS n FROM dnc_list_blocks b JOIN dnc_lists l USING (list_id) WHERE l.kind = 'national'`);
    expect(rows[0]!.n).toBe(1);
  });

  it('screens against the old version while a replacement loads, the new one once it is switched', async () => {
    await load('national-ca', 'replace', { 'ca.txt': '4165550401\n' }, '', '2026-11-01');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const seenDuring: string[][][] = [];
    async function* slow(): AsyncGenerator<DncFilePart> {
      yield {
        name: 'slow.txt',
        chunks: (async function* () {
          yield Buffer.from('4165550402\n');
          await gate;
          yield Buffer.from('4165550403\n');
        })(),
      };
    }
    const loading = registry.load({ kind: 'national-ca', owner: '', mode: 'replace', source: 'test', snapshotDate: '2026-12-01', normalize }, slow());
    await new Promise((r) => setTimeout(r, 50));
    seenDuring.push(kindsOn(await registry.screen(['+14165550401', '+14165550402'], 'a')));
    release();
    await loading;
    expect(seenDuring).toEqual([[['national-ca'], []]]);
    expect(kindsOn(await registry.screen(['+14165550401', '+14165550402', '+14165550403'], 'a'))).toEqual([[], ['national-ca'], ['national-ca']]);
  });
});
