import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitUntil } from '@leadflow/testkit';
import { createPglite, DataDirError, lockDataDir } from './index.js';
import { createUpkeep } from './pglite-upkeep.js';

const STORES = fileURLToPath(new URL('../dist/index.js', import.meta.url));
// Starting PGlite compiles its WebAssembly and may make a database: tens of seconds on a loaded machine.
const SLOW = 180_000;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Another process that runs `body` (with `createPglite` and `dir` in scope), printing what it says. */
function other(dir: string, body: string): { child: ChildProcess; said: (line: string) => Promise<void> } {
  const script = `import { createPglite } from ${JSON.stringify(STORES)}; const dir = ${JSON.stringify(dir)}; ${body}`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  const said = (line: string) => waitUntil(`"${line}" from the other process`, () => (out.includes(line) ? true : undefined), { timeoutMs: SLOW });
  return { child, said: async (line) => void (await said(line)) };
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe('the embedded database folder', () => {
  it('stops a second process at once, naming the folder and the process that holds it', { timeout: SLOW }, async () => {
    const dir = join(tempDir('lf-lock-'), 'data');
    const holder = other(dir, "await createPglite({ dataDir: dir }); console.log('open'); setInterval(() => {}, 1000);");
    await holder.said('open');
    const started = Date.now();
    const err = await createPglite({ dataDir: dir }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirError);
    expect((err as DataDirError).code).toBe('DATA_DIR_IN_USE');
    expect((err as Error).message).toBe(
      `the data folder ${dir} is in use by process ${holder.child.pid}: wait for it to end, or set LEADFLOW_DATA_DIR to another folder ` +
        `(if no such process runs, delete ${dir}.lock)`,
    );
    // At once: the lock is read before the database is touched.
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('opens with everything committed after the process that held it was killed', { timeout: SLOW }, async () => {
    const dir = join(tempDir('lf-kill-'), 'data');
    const writer = other(
      dir,
      `const db = await createPglite({ dataDir: dir });
       await db.exec('CREATE TABLE t (n int PRIMARY KEY)');
       for (let i = 0; i < 20; i++) await db.query('INSERT INTO t SELECT generate_series($1::int * 100 + 1, $1::int * 100 + 100)', [i]);
       console.log('committed');
       // Writing on when killed: the transaction in hand is lost, never a committed one.
       await db.transaction(async (tx) => { await tx.query('INSERT INTO t SELECT generate_series(100001, 200000)'); console.log('writing'); await new Promise(() => {}); });`,
    );
    await writer.said('writing');
    await killed(writer.child);
    expect(readFileSync(`${dir}.lock`, 'utf8')).toMatch(new RegExp(`^${writer.child.pid}\\n`));
    const db = await createPglite({ dataDir: dir });
    try {
      expect((await db.query<{ n: number; top: number }>('SELECT count(*)::int AS n, max(n) AS top FROM t')).rows).toEqual([{ n: 2000, top: 2000 }]);
      expect(readFileSync(`${dir}.lock`, 'utf8')).toMatch(new RegExp(`^${process.pid}\\n`));
    } finally {
      await db.close();
    }
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it('makes the database again when a process was killed while PGlite was copying a new one in', { timeout: SLOW }, async () => {
    const root = tempDir('lf-making-');
    const whole = join(root, 'whole');
    await (await PGlite.create(whole)).close();
    // What a kill in PGlite's copy leaves: its marker and some of the files, and (from this
    // version on) the file that says the database was being made.
    const dir = join(root, 'data');
    mkdirSync(dir);
    for (const name of ['PG_VERSION', 'base', 'pg_wal']) cpSync(join(whole, name), join(dir, name), { recursive: true });
    writeFileSync(`${dir}.making`, '12345\n');
    const db = await createPglite({ dataDir: dir });
    try {
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(readdirSync(dir)).toContain('global');
      expect(existsSync(`${dir}.making`)).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('refuses a folder that holds other files, and leaves them as they are', async () => {
    const dir = join(tempDir('lf-other-'), 'data');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const err = await createPglite({ dataDir: dir }).then(() => undefined, (e: unknown) => e);
    expect((err as DataDirError).code).toBe('DATA_DIR_NOT_A_DATABASE');
    expect((err as Error).message).toContain(`the data folder ${dir} holds files but no database`);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });
});

describe('the data folder lock', () => {
  it('is taken by exactly one of several processes racing for a stale lock', { timeout: SLOW }, async () => {
    const dir = join(tempDir('lf-race-'), 'data');
    // A pid no process has (above Linux's pid_max).
    writeFileSync(`${dir}.lock`, `99999999\n${(await import('node:os')).hostname()}\nstale\n`);
    const racers = Array.from({ length: 4 }, () => {
      const script = `import { lockDataDir } from ${JSON.stringify(STORES)};
        try { lockDataDir(${JSON.stringify(dir)}); console.log('took'); setTimeout(() => {}, 3000); } catch (e) { console.log(e.code); }`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(child);
      return new Promise<string>((resolve) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stdout.on('end', () => resolve(out.trim()));
      });
    });
    expect((await Promise.all(racers)).sort()).toEqual(['DATA_DIR_IN_USE', 'DATA_DIR_IN_USE', 'DATA_DIR_IN_USE', 'took']);
  });

  it('is given up on release, and a release never removes a lock taken since by another', () => {
    // In a folder that does not exist yet, as `.leadflow/` on a first run.
    const dir = join(tempDir('lf-release-'), 'state', 'data');
    const lock = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(/is in use by process/);
    lock.release();
    const again = lockDataDir(dir);
    lock.release();
    expect(readFileSync(again.file, 'utf8')).toMatch(new RegExp(`^${process.pid}\\n`));
    again.release();
    expect(existsSync(again.file)).toBe(false);
  });
});

describe('PGlite upkeep', () => {
  it('checkpoints once enough write-ahead log piled up (single-user PostgreSQL never does)', { timeout: SLOW }, async () => {
    const db = await PGlite.create();
    try {
      const redo = async () => (await db.query<{ redo: string }>('SELECT redo_lsn::text AS redo FROM pg_control_checkpoint()')).rows[0]!.redo;
      const upkeep = createUpkeep(db, { checkpointWalBytes: 1024 * 1024, walCheckMs: 0 });
      const before = await redo();
      await db.exec("CREATE TABLE t (v text); INSERT INTO t SELECT repeat('x', 100) FROM generate_series(1, 1000)");
      await upkeep.run();
      expect(await redo()).toBe(before);
      await db.exec("INSERT INTO t SELECT repeat('x', 1000) FROM generate_series(1, 5000)");
      await upkeep.run();
      expect(await redo()).not.toBe(before);
    } finally {
      await db.close();
    }
  });
});
