import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvFile, runNode, startWebhookReceiver, tempDir, type WebhookReceiver } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** Runs the leadflow command to its end, with the log level it has by default. */
const leadflow = (args: string[], env: Record<string, string>) => runNode(BIN, args, { env: { LOG_LEVEL: '', ...env } });

const NO_STACK = /\bat .*\.js:\d+|\n\s+at /;

describe('leadflow run, when something is wrong', () => {
  const dir = tempDir('leadflow-run-failures-');
  const env = { LEADFLOW_DATA_DIR: join(dir, 'db') };
  const csv = join(dir, 'leads.csv');
  writeFileSync(csv, ['Email,First Name', ...Array.from({ length: 6 }, (_, i) => `lead${i}@failures.test,Lee${i}`)].join('\n'));
  mkdirSync(join(dir, 'a-folder'));
  writeFileSync(join(dir, 'a-file'), 'x');

  it.each([
    ['a missing file', ['run', join(dir, 'nope.csv')], `no such file: ${join(dir, 'nope.csv')}`],
    ['a folder for the file', ['run', join(dir, 'a-folder')], `${join(dir, 'a-folder')} is a folder, not a file`],
    ['a missing DNC file', ['run', csv, '--dnc', join(dir, 'dnc.txt')], `no such DNC file: ${join(dir, 'dnc.txt')}`],
    ['a folder for the DNC file', ['run', csv, '--dnc', join(dir, 'a-folder')], `${join(dir, 'a-folder')} is a folder, not a DNC file`],
    [
      'an output folder that is a file',
      ['run', csv, '--out', join(dir, 'a-file')],
      `cannot create the output folder ${join(dir, 'a-file')}: a file of that name is in the way; choose another with --out`,
    ],
    [
      'an output folder under a file',
      ['run', csv, '--out', join(dir, 'a-file', 'out')],
      `cannot create the output folder ${join(dir, 'a-file', 'out')}: a part of the path is a file, not a folder; choose another with --out`,
    ],
    ['a missing file to map', ['map', join(dir, 'nope.csv')], `no such file: ${join(dir, 'nope.csv')}`],
  ])('ends %s with exit code 1 and one line that names it, before any work', async (_what, args, message) => {
    const untouched = join(dir, 'untouched-db');
    const res = await leadflow(args, { LEADFLOW_DATA_DIR: untouched });
    expect(res.stderr).toBe(`leadflow ${args[0]}: ${message}\n`);
    expect(res.code).toBe(1);
    expect(existsSync(untouched)).toBe(false);
  });

  it.each([
    ['http://127.0.0.1:9/hook', '127.0.0.1 is a loopback address; to deliver there anyway, set OUTBOUND_ALLOW_CIDRS'],
    ['http://2130706433:9/hook', '127.0.0.1 is a loopback address; to deliver there anyway, set OUTBOUND_ALLOW_CIDRS'],
    ['http://0x7f.1:9/hook', '127.0.0.1 is a loopback address; to deliver there anyway, set OUTBOUND_ALLOW_CIDRS'],
    ['https://[::1]:9/hook', '::1 is a loopback address; to deliver there anyway, set OUTBOUND_ALLOW_CIDRS'],
    ['https://192.168.0.10/hook', '192.168.0.10 is a private address; to deliver there anyway, set OUTBOUND_ALLOW_CIDRS'],
  ])('refuses --webhook %s with exit code 1 and one line, before any work', async (url, reason) => {
    const untouched = join(dir, 'untouched-by-webhook');
    // The test environment allows loopback receivers (vitest.config.ts): this run is an operator's that does not.
    const res = await leadflow(['run', csv, '--webhook', url, '--out', join(untouched, 'out')], { LEADFLOW_DATA_DIR: untouched, OUTBOUND_ALLOW_CIDRS: '' });
    expect(res.stderr).toBe(`leadflow run: --webhook "${url}" is not allowed (WEBHOOK_URL_FORBIDDEN): ${reason}\n`);
    expect(res.code).toBe(1);
    expect(existsSync(untouched)).toBe(false);
  });

  it('refuses a plain http --webhook unless OUTBOUND_ALLOW_HTTP says so, and a bad OUTBOUND_ALLOW_CIDRS as a config error', async () => {
    const http = await leadflow(['run', csv, '--webhook', 'http://hooks.example/x'], { ...env, OUTBOUND_ALLOW_HTTP: 'false' });
    expect(http.stderr).toBe(
      'leadflow run: --webhook "http://hooks.example/x" is not allowed (WEBHOOK_URL_FORBIDDEN): plain http is not allowed (leads would travel unencrypted): use https; to deliver there anyway, set OUTBOUND_ALLOW_HTTP\n',
    );
    expect(http.code).toBe(1);
    const cidr = await leadflow(['run', csv], { ...env, OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8,127.0.0.1/40' });
    expect(cidr.stderr).toBe(
      'leadflow: invalid configuration:\n  - OUTBOUND_ALLOW_CIDRS has "127.0.0.1/40", which is not a CIDR: write an address and a prefix length, e.g. 127.0.0.0/8 or ::1/128\n',
    );
    expect(cidr.code).toBe(2);
  });

  it.each([
    ['a data folder that is a file', { LEADFLOW_DATA_DIR: join(dir, 'a-file') }, `the data folder ${join(dir, 'a-file')} is a file, or inside one (`],
    ['a data folder inside a file', { LEADFLOW_DATA_DIR: join(dir, 'a-file', 'db') }, `the data folder ${join(dir, 'a-file', 'db')} is a file, or inside one (`],
    // Port 9 (discard) on loopback: nothing listens there on a test machine.
    ['a PostgreSQL server that is not there', { DATABASE_URL: 'postgres://leadflow:secret-word@127.0.0.1:9/leads' }, 'cannot use the PostgreSQL server of DATABASE_URL ('],
  ])('ends %s with exit code 1 and one line that says what to change', async (_what, where, start) => {
    const res = await leadflow(['run', csv, '--out', join(dir, 'out-unusable')], where);
    expect(res.stderr.startsWith(`leadflow run: ${start}`), res.stderr).toBe(true);
    expect(res.stderr).toMatch(/: (set LEADFLOW_DATA_DIR to a folder this user can write|start it or correct DATABASE_URL, or unset DATABASE_URL to use the embedded database)\n$/);
    expect(res.stderr.split('\n')).toHaveLength(2);
    expect(res.stderr).not.toMatch(NO_STACK);
    expect(res.stderr).not.toContain('secret-word');
    expect(res.code).toBe(1);
  });

  it('ends a run whose output disk fills up with exit code 1 and one line naming the file', async () => {
    const out = join(dir, 'out-full');
    mkdirSync(out);
    // Every write to /dev/full fails as on a full disk (ENOSPC).
    symlinkSync('/dev/full', join(out, 'leads.csv'));
    const res = await leadflow(['run', csv, '--out', out], env);
    expect(res.stderr).toBe(`leadflow run: cannot write ${join(out, 'leads.csv')}: no space left on the disk\n`);
    expect(res.code).toBe(1);
  });

  describe('with a webhook that fails', () => {
    const webhookEnv = { LEADFLOW_DATA_DIR: join(dir, 'webhook-db') };
    let receiver: WebhookReceiver;
    /** The peak memory of a run of a small file without a webhook, on a data folder made before. */
    let baselinePeak: number;
    beforeAll(async () => {
      receiver = await startWebhookReceiver();
      const other = join(dir, 'other.csv');
      writeFileSync(other, 'Email\nsomeone@failures.test\n');
      for (const _ of [1, 2]) {
        const res = await leadflow(['run', other, '--out', join(dir, 'out-baseline')], webhookEnv);
        expect(res.code).toBe(0);
        baselinePeak = res.peakRss;
      }
    }, 300_000);
    afterAll(() => receiver.close());

    it('says how many leads were delivered and how many failed, in the summary line and summary.json, and exits 3', async () => {
      // The first batch's event is taken; the second's is answered 500 with a 1 GiB body, on every attempt.
      const GiB = 1024 ** 3;
      let taken: string | undefined;
      receiver.respondWith((req) => ((taken ??= String(req.headers['webhook-id'])) === req.headers['webhook-id'] ? 200 : { status: 500, bodyBytes: GiB }));
      const out = join(dir, 'out-webhook');
      // Five attempts, a moment apart.
      const res = await leadflow(['run', csv, '--webhook', receiver.url, '--out', out], { ...webhookEnv, BATCH_SIZE: '3', DELIVERY_RETRY_SCHEDULE: '0,10ms,10ms,10ms,10ms' });

      expect(res.stderr).toBe(
        'leadflow run: 3 accepted lead(s) could not be delivered to the webhook (HTTP 500 after 5 attempts); they are in leads.csv; ' +
          `6 rows: 6 accepted, 0 invalid, 0 duplicate, 0 suppressed; 3 of 6 leads delivered to the webhook -> ${out}\n`,
      );
      expect(res.stderr).not.toMatch(NO_STACK);
      expect(res.stdout).toBe('');
      expect(res.code).toBe(3);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, unknown>;
      expect(summary).toMatchObject({ rows: 6, accepted: 6, status: 'completed', delivery: { delivered: 3, failed: 3, error: 'HTTP 500 after 5 attempts' } });
      expect(readCsvFile(join(out, 'leads.csv'))).toHaveLength(6);
      expect(receiver.requests).toHaveLength(1 + 5);
      // The receiver's huge answers were read only in part: memory stays that of a small run.
      expect(receiver.bytesSent).toBeLessThan(5 * 32 * 1024 * 1024);
      expect(baselinePeak).toBeGreaterThan(0);
      expect(res.peakRss - baselinePeak).toBeLessThan(256 * 1024 * 1024);
    });
  });
});
