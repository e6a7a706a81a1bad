import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createKeyWithCli, csvRowsByName, fetchWithKey, freePort, readCsvFile, runNode, startServe, tempDir, waitUntil } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));
// The data folder's database, whatever DATABASE_URL the shell has.
const leadflow = (args: string[], env: Record<string, string>) => runNode(BIN, args, { env: { LOG_LEVEL: '', DATABASE_URL: '', ...env } });

/** Ten numbers no generated lead file uses (area code 907, exchange 555-02xx). */
const LISTED = Array.from({ length: 10 }, (_, i) => `+1907555${String(200 + i).padStart(4, '0')}`);
/** A file of ten people, one listed number each: `tag` makes the names and emails its own, so no row is a duplicate of another file's. */
const peopleWith = (tag: string) =>
  `First Name,Last Name,Email,Phone\n${LISTED.map((p, i) => `Ann${tag},Person${i},ann${i}.${tag}@dnc-lists.test,${p}`).join('\n')}\n${'Bo,Clear,bo.' + tag + '@dnc-lists.test,(907) 555-0299'}\n`;

const suppressedOf = (out: string) => readCsvFile(join(out, 'suppressed.csv')).map((r) => [r.phone, r.reason]);

describe('the Do-Not-Call lists of the data folder', () => {
  it('a second leadflow run on the same folder without --dnc suppresses the numbers the first loaded', async () => {
    const dir = tempDir('leadflow-dnc-lists-');
    const env = { LEADFLOW_DATA_DIR: join(dir, 'db') };
    writeFileSync(join(dir, 'dnc.txt'), LISTED.map((p) => p.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, '($1) $2-$3')).join('\n'));
    // The first run loads the list; its file has none of the numbers (a row once filed makes a later row with its phone a duplicate, not screened).
    writeFileSync(join(dir, 'first.csv'), 'First Name,Email,Phone\nCy,cy@dnc-lists.test,(907) 555-0298\n');
    writeFileSync(join(dir, 'second.csv'), peopleWith('second'));
    const first = await leadflow(['run', join(dir, 'first.csv'), '--dnc', join(dir, 'dnc.txt'), '--out', join(dir, 'out-1')], env);
    expect(first.code, first.stderr).toBe(0);
    expect(suppressedOf(join(dir, 'out-1'))).toEqual([]);
    const second = await leadflow(['run', join(dir, 'second.csv'), '--out', join(dir, 'out-2')], env);
    expect(second.code, second.stderr).toBe(0);
    expect(suppressedOf(join(dir, 'out-2'))).toEqual(LISTED.map((p) => [p, 'DNC_INTERNAL']));
    expect(readCsvFile(join(dir, 'out-2', 'leads.csv')).map((r) => r.phone)).toEqual(['+19075550299']);
  }, 300_000);

  it('leadflow dnc import loads the FTC flat files, gzipped, as the national list; a change list then deletes some', async () => {
    const dir = tempDir('leadflow-dnc-import-');
    const env = { LEADFLOW_DATA_DIR: join(dir, 'db') };
    // As the FTC's per-area-code files: `areacode,number` lines.
    writeFileSync(join(dir, '907.txt.gz'), gzipSync(LISTED.slice(0, 6).map((p) => `907,${p.slice(5)}`).join('\n')));
    writeFileSync(join(dir, 'more.txt'), `phone\n${LISTED.slice(6).map((p) => p.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, '$1-$2-$3')).join('\n')}\n`);
    const loaded = await leadflow(['dnc', 'import', join(dir, '907.txt.gz'), join(dir, 'more.txt'), '--list', 'national', '--snapshot', '2026-11-30', '--replace'], env);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stderr).toMatch(/National \(USA\): read 10 numbers .*replaced the list; now 10 numbers, version 1, snapshot 2026-11-30/);
    writeFileSync(join(dir, 'changes.txt'), `${LISTED.slice(0, 2).map((p) => `907,${p.slice(5)},D,2026-12-01`).join('\n')}\nnot a line\n`);
    const changed = await leadflow(['dnc', 'import', join(dir, 'changes.txt'), '--list', 'national', '--changes', '--snapshot', '2026-12-01'], env);
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stderr).toMatch(/changes.txt line 3: a change list line says A \(added\) or D \(deleted\)/);
    expect(changed.stderr).toMatch(/added 0, removed 2; now 8 numbers, version 2, snapshot 2026-12-01; 1 lines skipped/);
    writeFileSync(join(dir, 'people.csv'), peopleWith('import'));
    const run = await leadflow(['run', join(dir, 'people.csv'), '--out', join(dir, 'out')], env);
    expect(run.code, run.stderr).toBe(0);
    expect(suppressedOf(join(dir, 'out'))).toEqual(LISTED.slice(2).map((p) => [p, 'DNC_NATIONAL']));
    const refused = await leadflow(['dnc', 'import', join(dir, 'people.csv'), '--list', 'national', '--replace'], env);
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringMatching(/DNC_IMPORT_INVALID/)]);
  }, 300_000);

  it('numbers added over the API to leadflow serve are still screened after serve restarts', async () => {
    const dir = tempDir('leadflow-dnc-serve-');
    const dataDir = join(dir, 'db');
    const api = fetchWithKey(await createKeyWithCli(BIN, { LEADFLOW_DATA_DIR: dataDir, DATABASE_URL: '' }, { tenant: 'default', role: 'admin' }));
    const start = async () => {
      const [httpPort, grpcPort] = [await freePort(), await freePort()];
      const serve = await startServe(BIN, { HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: dataDir, DATABASE_URL: '', HTTP_HOST: '', LOG_LEVEL: 'warn' });
      return { serve, base: `http://127.0.0.1:${httpPort}` };
    };
    const stop = async (serve: Awaited<ReturnType<typeof start>>['serve']) => {
      const exited = new Promise((resolve) => serve.child.once('exit', resolve));
      serve.child.kill('SIGTERM');
      await exited;
    };
    const first = await start();
    try {
      const added = await api(`${first.base}/v1/dnc/numbers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ numbers: LISTED }) });
      expect(await added.json()).toEqual({ added: 10, rejected: [] });
    } finally {
      await stop(first.serve);
    }
    const second = await start();
    try {
      const form = new FormData();
      form.set('file', new Blob([peopleWith('serve')]), 'people.csv');
      const created = await api(`${second.base}/v1/jobs`, { method: 'POST', body: form });
      expect(created.status).toBe(202);
      const { id } = (await created.json()) as { id: string };
      const job = await waitUntil('the job to complete', async () => {
        const j = (await (await api(`${second.base}/v1/jobs/${id}`)).json()) as { status: string; counts: Record<string, number> };
        return j.status === 'completed' ? j : undefined;
      }, { timeoutMs: 120_000 });
      expect(job.counts).toMatchObject({ rows: 11, accepted: 1, suppressed: 10 });
      const suppressed = csvRowsByName(await (await api(`${second.base}/v1/jobs/${id}/exports/suppressed.csv`)).text());
      expect(suppressed.map((r) => [r.phone, r.reason])).toEqual(LISTED.map((p) => [p, 'DNC_INTERNAL']));
    } finally {
      await stop(second.serve);
    }
  }, 600_000);
});
