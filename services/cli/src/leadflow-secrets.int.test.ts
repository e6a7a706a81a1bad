import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { createSqlEndpointStore, migrations as deliveryMigrations } from '@leadflow/delivery';
import { keyringFromFile, newKeyEntry } from '@leadflow/secrets';
import { createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { runNode, startWebhookReceiver, tempDir, type ReceivedRequest, type WebhookReceiver } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** LEADFLOW_SECRET_KEYS empty unless a test sets it: the key file is what is under test. */
async function leadflow(args: string[], env: Record<string, string>) {
  const res = await runNode(BIN, args, { env: { LOG_LEVEL: '', LEADFLOW_SECRET_KEYS: '', ...env }, timeoutMs: 300_000 });
  return { ...res, code: res.code ?? -1 };
}

/** Checks the Standard Webhooks signature as a receiver does, with the reference library and its copy of the secret. */
function signedWith(secret: string, request: ReceivedRequest): boolean {
  try {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

describe('leadflow run with webhook secrets sealed by the key file beside its data folder', () => {
  const dir = tempDir('leadflow-secrets-');
  const dataDir = join(dir, 'db');
  const keyFile = `${dataDir}.keys`;
  const env = { LEADFLOW_DATA_DIR: dataDir };
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const legacySecret = `whsec_${randomBytes(24).toString('base64')}`;
  let receiver: WebhookReceiver;
  let legacyReceiver: WebhookReceiver;
  const onFolder = async <T>(fn: (db: SqlClient) => Promise<T>): Promise<T> => {
    const db = await createPglite({ dataDir });
    try {
      await migrate(db, deliveryMigrations);
      return await fn(db);
    } finally {
      await db.close();
    }
  };
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    legacyReceiver = await startWebhookReceiver();
    writeFileSync(join(dir, 'a.csv'), 'email,first_name\nann@example.com,Ann\nbob@example.com,Bob\n');
    writeFileSync(join(dir, 'b.csv'), 'email,first_name\ncid@example.com,Cid\n');
  });
  afterAll(async () => {
    await receiver.close();
    await legacyReceiver.close();
  });

  it('makes the key file on the first run, once, readable by its owner only, beside the folder and not in it', async () => {
    expect(existsSync(keyFile)).toBe(false);
    const first = await leadflow(['run', join(dir, 'a.csv'), '--out', join(dir, 'out-a')], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const made = readFileSync(keyFile, 'utf8');
    expect(made).toMatch(/^local-[0-9a-f]{8}:[A-Za-z0-9+/]{43}=\n$/);
    expect(readdirSync(dataDir).some((f) => f.includes('keys'))).toBe(false);
    expect(first.stdout + first.stderr).not.toContain(made.trim().split(':')[1]);
  });

  it("signs deliveries to the tenant's endpoints with their secrets, kept sealed, and seals a plain one from before", async () => {
    const keyFileBefore = readFileSync(keyFile, 'utf8');
    const legacyId = randomUUID();
    const savedId = await onFolder(async (db) => {
      // As an operator wrote one before secrets were sealed.
      await db.query('INSERT INTO webhook_endpoints (id, tenant_id, url, secret) VALUES ($1, $2, $3, $4)', [legacyId, 'default', legacyReceiver.url, legacySecret]);
      return createSqlEndpointStore(db, keyringFromFile(keyFile)).save({ tenantId: 'default', url: receiver.url, secret });
    });

    const run = await leadflow(['run', join(dir, 'b.csv'), '--out', join(dir, 'out-b')], env);
    expect(run.code).toBe(0);
    // Each endpoint takes every event type: the job's leads, then job.completed.
    const types = (requests: ReceivedRequest[]) => requests.map((r) => (JSON.parse(r.body) as { type: string }).type).sort();
    expect(types(receiver.requests)).toEqual(['job.completed', 'lead.created']);
    expect(receiver.requests.every((r) => signedWith(secret, r))).toBe(true);
    expect(types(legacyReceiver.requests)).toEqual(['job.completed', 'lead.created']);
    expect(legacyReceiver.requests.every((r) => signedWith(legacySecret, r))).toBe(true);

    const rows = await onFolder(async (db) =>
      (await db.query<{ id: string; secret: string | null; secret_sealed: string | null; whole: string }>(
        'SELECT id, secret, secret_sealed, row_to_json(w)::text AS whole FROM webhook_endpoints w ORDER BY id',
      )).rows,
    );
    const keyId = keyFileBefore.split(':')[0]!;
    expect(rows.map((r) => r.id).sort()).toEqual([legacyId, savedId].sort());
    for (const row of rows) {
      expect(row.secret).toBeNull();
      expect(row.secret_sealed?.startsWith(`v1.${keyId}.`)).toBe(true);
      for (const plain of [secret, legacySecret]) expect(row.whole).not.toContain(plain);
    }
    expect(readFileSync(keyFile, 'utf8')).toBe(keyFileBefore);
  });

  it('with LEADFLOW_SECRET_KEYS set uses it instead of the file, and stops when a key in use is missing, naming it', async () => {
    const keyId = readFileSync(keyFile, 'utf8').split(':')[0]!;
    const other = newKeyEntry('k2');
    const res = await leadflow(['run', join(dir, 'b.csv'), '--out', join(dir, 'out-c')], { ...env, LEADFLOW_SECRET_KEYS: other });
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`leadflow run: webhook_endpoints holds 2 secrets sealed with key ${keyId}, which LEADFLOW_SECRET_KEYS does not hold: add it back\n`);
    expect(res.stdout + res.stderr).not.toContain(other.slice(3));

    // The file's key added back behind a new one: it runs, and seals everything with the new key.
    const both = `${other},${readFileSync(keyFile, 'utf8').trim()}`;
    const rotated = await leadflow(['run', join(dir, 'b.csv'), '--out', join(dir, 'out-d')], { ...env, LEADFLOW_SECRET_KEYS: both });
    expect(rotated.code).toBe(0);
    const sealed = await onFolder(async (db) => (await db.query<{ s: string }>('SELECT secret_sealed AS s FROM webhook_endpoints')).rows.map((r) => r.s));
    expect(sealed.map((s) => s.split('.')[1])).toEqual(['k2', 'k2']);
  });

  it('ends with one line when the key file cannot be used, and gives the data folder up for the next run', async () => {
    const own = join(dir, 'db-blocked');
    mkdirSync(`${own}.keys`);
    const blocked = await leadflow(['run', join(dir, 'b.csv'), '--out', join(dir, 'out-f')], { LEADFLOW_DATA_DIR: own });
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toBe(`leadflow run: the key file ${own}.keys is not a file: move it away, or set LEADFLOW_SECRET_KEYS\n`);
    rmdirSync(`${own}.keys`);
    const next = await leadflow(['run', join(dir, 'b.csv'), '--out', join(dir, 'out-g')], { LEADFLOW_DATA_DIR: own });
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(statSync(`${own}.keys`).isFile()).toBe(true);
  });

  it('refuses a malformed LEADFLOW_SECRET_KEYS in one line that says how to make a key', async () => {
    const res = await leadflow(['run', join(dir, 'b.csv'), '--out', join(dir, 'out-e')], { ...env, LEADFLOW_SECRET_KEYS: 'k1:tooshort' });
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      'leadflow: invalid configuration:\n  - LEADFLOW_SECRET_KEYS has key "k1" that is not 32 bytes in base64 (6 bytes): make one with: openssl rand -base64 32\n',
    );
  });
});
