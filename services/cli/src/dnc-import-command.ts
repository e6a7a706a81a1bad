import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { normalizePhone } from '@leadflow/mapping';
import { createSqlDncRegistry, DncFileError, dncFileParts, dncListLabel, dncListMigrations, DncLoadError, isTenantKind, type DncFilePart, type DncLoadResult } from '@leadflow/stores';
import { requestListChangeRescreen } from '@leadflow/gateway';
import type { DncImportArgs } from './args.js';
import { CommandError } from './command-error.js';
import { readableFile } from './run-command.js';
import { withDatabase, type DatabaseEnvironment } from './with-database.js';

/** The parts of every file in turn: plain, gzip, or each entry of a zip. */
export async function* filesParts(paths: readonly string[]): AsyncGenerator<DncFilePart> {
  for (const path of paths) yield* dncFileParts(path, createReadStream(path, { highWaterMark: 1 << 20 }));
}

/**
 * `leadflow dnc import FILE... --list KIND [--snapshot DATE] [--replace | --changes]`: loads
 * Do-Not-Call files into a list of the database `run` and `serve` use (DATABASE_URL, or the
 * embedded one of LEADFLOW_DATA_DIR), streaming. `internal` is LEADFLOW_TENANT's list.
 */
export async function dncImportCommand(args: DncImportArgs, env: DatabaseEnvironment & { tenantId: string; say: (line: string) => void }): Promise<DncLoadResult> {
  const paths = args.files.map((f) => resolve(f));
  for (const p of paths) readableFile(p, 'DNC file');
  const started = Date.now();
  return withDatabase(env, [dncListMigrations], async (db) => {
    const registry = createSqlDncRegistry(db);
    try {
      const result = await registry.load(
        {
          kind: args.list,
          owner: isTenantKind(args.list) ? env.tenantId : '',
          mode: args.mode,
          source: `leadflow dnc import ${args.files.map((f) => f.split('/').pop()).join(' ')}`.slice(0, 200),
          snapshotDate: args.snapshot,
          normalize: (text) => normalizePhone(text, 'US'),
        },
        filesParts(paths),
      );
      // The stored leads the list concerns are screened again by the next `serve` or dnc service (docs/rescreen.md).
      if (result.added > 0 || result.removed > 0 || args.mode === 'replace') await requestListChangeRescreen(db, isTenantKind(args.list) ? env.tenantId : '', args.list);
      const seconds = (Date.now() - started) / 1000;
      for (const p of result.problems) env.say(`  ${p.file} line ${p.line}: ${p.problem}`);
      if (result.badLines > result.problems.length) env.say(`  ... and ${result.badLines - result.problems.length} more lines without a number`);
      env.say(
        `${dncListLabel(args.list)}: read ${result.numbers} numbers in ${seconds.toFixed(1)} s; ` +
          `${args.mode === 'replace' ? 'replaced the list' : `added ${result.added}, removed ${result.removed}`}; ` +
          `now ${result.size} numbers, version ${result.head.version}, snapshot ${result.head.snapshotDate}` +
          (result.badLines > 0 ? `; ${result.badLines} lines skipped` : ''),
      );
      return result;
    } catch (err) {
      if (err instanceof DncLoadError) {
        for (const p of err.problems) env.say(`  ${p.file} line ${p.line}: ${p.problem}`);
        throw new CommandError(`${err.message} (${err.code})`);
      }
      if (err instanceof DncFileError) throw new CommandError(err.message);
      throw err;
    }
  });
}
