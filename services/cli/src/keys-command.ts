import { ApiKeyError, createSqlApiKeyStore, migrations, type ApiKeyView } from '@leadflow/gateway';
import type { KeysArgs } from './args.js';
import { CommandError } from './command-error.js';
import { withDatabase, type DatabaseEnvironment } from './with-database.js';

export interface KeysOutput {
  /** A result: the key (always the last line), the list. */
  print(line: string): void;
  /** What a person should read beside it; kept off stdout so that `KEY=$(leadflow keys create ...)` holds the key only. */
  say(line: string): void;
}

const when = (at: Date | null) => (at ? at.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');

const COLUMNS = ['PREFIX', 'TENANT', 'ROLE', 'NAME', 'CREATED', 'LAST USED', 'EXPIRES', 'REVOKED', 'ROTATED FROM'];

/** The keys as a table, columns padded to their widest value. */
function table(keys: readonly ApiKeyView[]): string[] {
  const rows = [
    COLUMNS,
    ...keys.map((k) => [k.prefix, k.tenant, k.role, k.name || '-', when(k.createdAt), when(k.lastUsedAt), when(k.expiresAt), when(k.revokedAt), k.rotatedFrom ?? '-']),
  ];
  const widths = COLUMNS.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
}

/**
 * `leadflow keys create|list|revoke|rotate`, on the database of DATABASE_URL or the embedded
 * one of LEADFLOW_DATA_DIR: how an operator makes the first admin key of an installation.
 * A new key is printed once, as the last line; nothing else ever shows one.
 */
export async function keysCommand(args: KeysArgs, env: DatabaseEnvironment, out: KeysOutput): Promise<void> {
  await withDatabase(env, [migrations], async (db) => {
    const keys = createSqlApiKeyStore(db);
    try {
      switch (args.action) {
        case 'create': {
          const made = await keys.create(args);
          const named = args.name ? `, name "${args.name}"` : '';
          const expires = args.expiresAt ? `, expires ${when(args.expiresAt)}` : '';
          out.say(`Made key ${made.prefix} for tenant ${args.tenant} (role ${args.role}${named}${expires}).`);
          out.say('It is shown only this once: keep it in a secret store. Send it as "Authorization: Bearer <key>".');
          out.print(made.key);
          return;
        }
        case 'rotate': {
          const made = await keys.rotate(args.prefix, { expiresAt: args.expiresAt });
          out.say(`Made key ${made.prefix} to replace ${args.prefix}, with its tenant, role and name. Both work until you revoke the old one:`);
          out.say(`  leadflow keys revoke ${args.prefix}`);
          out.say('The new key is shown only this once: keep it in a secret store.');
          out.print(made.key);
          return;
        }
        case 'revoke': {
          const { alreadyRevokedAt } = await keys.revoke(args.prefix);
          out.print(alreadyRevokedAt ? `Key ${args.prefix} was already revoked at ${when(alreadyRevokedAt)}.` : `Revoked key ${args.prefix}: it works no more.`);
          return;
        }
        case 'list': {
          const listed = await keys.list({ tenantId: args.tenant });
          if (listed.length === 0) out.say(`No keys${args.tenant ? ` for tenant ${args.tenant}` : ''} yet: make one with leadflow keys create --tenant NAME --role admin`);
          else for (const line of table(listed)) out.print(line);
          return;
        }
      }
    } catch (err) {
      if (err instanceof ApiKeyError) throw new CommandError(err.message);
      throw err;
    }
  });
}
