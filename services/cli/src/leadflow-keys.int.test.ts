import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSqlApiKeyStore, type Caller } from '@leadflow/gateway';
import { createPglite, createPostgres, lockDataDir, type SqlClient } from '@leadflow/stores';
import { infraEnv, runNode, tempDir, uniqueName } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

const leadflow = (args: string[], env: Record<string, string>) => runNode(BIN, args, { env: { LOG_LEVEL: '', DATABASE_URL: '', ...env } });

const KEY = /^lfk_[0-9A-Za-z]{8}_[0-9A-Za-z]{49}$/;
const NO_STACK = /\n\s+at /;

interface Backend {
  env: () => Record<string, string>;
  open: (env: Record<string, string>) => Promise<SqlClient>;
}

const dir = tempDir('leadflow-keys-');

const backends: [string, Backend][] = [
  ['a new embedded data folder', { env: () => ({ LEADFLOW_DATA_DIR: join(dir, 'db') }), open: (env) => createPglite({ dataDir: env.LEADFLOW_DATA_DIR }) }],
  [
    'the PostgreSQL server of DATABASE_URL',
    {
      env: () => ({ DATABASE_URL: infraEnv().DATABASE_URL, LEADFLOW_DATA_DIR: join(dir, 'not-made') }),
      open: async (env) => createPostgres({ url: env.DATABASE_URL! }),
    },
  ],
];

describe.each(backends)('leadflow keys on %s', (_where, backend) => {
  /** What the store of the same database says of a key, as the gateway's check will. */
  const verify = async (env: Record<string, string>, key: string): Promise<Caller | undefined> => {
    const db = await backend.open(env);
    try {
      return await createSqlApiKeyStore(db).verify(key);
    } finally {
      await db.close();
    }
  };

  it('makes a key shown once as the last line, rotates it, lists both without either key, and a revoked key verifies no more', async () => {
    const env = backend.env();
    const tenant = uniqueName('keys');

    const created = await leadflow(['keys', 'create', '--tenant', tenant, '--role', 'admin', '--name', 'first admin'], env);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trimEnd().split('\n').at(-1)!;
    expect(key).toMatch(KEY);
    expect(created.stdout).toBe(`${key}\n`);
    const prefix = key.slice(0, 12);
    expect(created.stderr).toBe(
      `Made key ${prefix} for tenant ${tenant} (role admin, name "first admin").\n` +
        'It is shown only this once: keep it in a secret store. Send it as "Authorization: Bearer <key>".\n',
    );

    const rotated = await leadflow(['keys', 'rotate', prefix], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    const next = rotated.stdout.trimEnd().split('\n').at(-1)!;
    expect(next).toMatch(KEY);
    expect(rotated.stderr).toContain(`  leadflow keys revoke ${prefix}\n`);
    expect(rotated.stderr).not.toContain(next.slice(13));

    expect(await verify(env, key)).toEqual({ tenantId: tenant, role: 'admin', prefix });
    expect(await verify(env, next)).toEqual({ tenantId: tenant, role: 'admin', prefix: next.slice(0, 12) });

    const revoked = await leadflow(['keys', 'revoke', prefix], env);
    expect([revoked.code, revoked.stdout, revoked.stderr]).toEqual([0, `Revoked key ${prefix}: it works no more.\n`, '']);
    expect(await verify(env, key)).toBeUndefined();
    expect(await verify(env, next)).toMatchObject({ tenantId: tenant });

    const listed = await leadflow(['keys', 'list', '--tenant', tenant], env);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^PREFIX +TENANT +ROLE +NAME +CREATED +LAST USED +EXPIRES +REVOKED +ROTATED FROM$/);
    const stamp = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';
    expect(lines.slice(1)).toHaveLength(2);
    // Both were used (verified) above; the first is revoked, the second names the key it replaces.
    expect(lines[1]).toMatch(new RegExp(`^${prefix} +${tenant} +admin +first admin +${stamp} +${stamp} +- +${stamp} +-$`));
    expect(lines[2]).toMatch(new RegExp(`^${next.slice(0, 12)} +${tenant} +admin +first admin +${stamp} +${stamp} +- +- +${prefix}$`));
    for (const secret of [key.slice(13), next.slice(13)]) expect(listed.stdout + listed.stderr).not.toContain(secret);

    const again = await leadflow(['keys', 'revoke', prefix], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^Key ${prefix} was already revoked at ${stamp}\\.\\n$`));

    const unknown = await leadflow(['keys', 'revoke', 'lfk_00000000'], env);
    expect([unknown.code, unknown.stdout, unknown.stderr]).toEqual([1, '', 'leadflow keys: no key with prefix lfk_00000000: see the prefixes with leadflow keys list\n']);

    if (env.DATABASE_URL) expect(existsSync(env.LEADFLOW_DATA_DIR!)).toBe(false);
  });
});

describe('leadflow keys, when it cannot act', () => {
  it('says in one line, exit code 1, that the data folder is held by another process (leadflow serve)', async () => {
    const folder = join(dir, 'held');
    const lock = lockDataDir(folder);
    try {
      const res = await leadflow(['keys', 'list'], { LEADFLOW_DATA_DIR: folder });
      expect(res.code).toBe(1);
      expect(res.stderr.startsWith(`leadflow keys: the data folder ${resolve(folder)} is in use by process ${process.pid}: `), res.stderr).toBe(true);
      expect(res.stderr.split('\n')).toHaveLength(2);
      expect(res.stderr).not.toMatch(NO_STACK);
    } finally {
      lock.release();
    }
  });

  it.each([
    ['no role', ['keys', 'create', '--tenant', 'acme'], 'keys create needs --role admin|uploader|viewer'],
    ['a role that is none', ['keys', 'create', '--tenant', 'acme', '--role', 'owner'], 'keys create needs --role admin|uploader|viewer'],
    ['no tenant', ['keys', 'create', '--role', 'viewer'], 'keys create needs --tenant NAME'],
    ['a whole key for a prefix', ['keys', 'revoke', `lfk_AAAAAAAA_${'b'.repeat(49)}`], 'PREFIX is lfk_ and the 8 letters or digits after it, as leadflow keys list shows them (never the whole key)'],
    ['an expiry in the past', ['keys', 'rotate', 'lfk_AAAAAAAA', '--expires', '2020-01-01'], '--expires 2020-01-01 is past: give a date to come'],
  ])('ends a usage mistake (%s) with exit code 2 and the usage, before opening any database', async (_what, args, message) => {
    const untouched = join(dir, 'untouched');
    const res = await leadflow(args, { LEADFLOW_DATA_DIR: untouched });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(new RegExp(`^leadflow: ${message.replace(/[|()]/g, '\\$&')}\\nusage:\\n`));
    expect(res.stderr).toContain('  leadflow keys create --tenant NAME --role admin|uploader|viewer');
    expect(res.stderr).not.toContain('b'.repeat(49));
    expect(existsSync(untouched)).toBe(false);
  });
});
