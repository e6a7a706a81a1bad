import { createReadStream, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { readRows } from '@leadflow/ingest';
import {
  CANONICAL_FIELDS, createSqlMappingStore, createSqlSynonymStore, mapColumns, migrations, withSynonyms,
  type FieldSynonyms, type MappedField, type MappingStore, type SynonymStore,
} from '@leadflow/mapping';
import { DataDirError } from '@leadflow/stores';
import { UsageError, type MapArgs } from './args.js';
import { readableFile } from './run-command.js';
import { withDatabase, type DatabaseEnvironment } from './with-database.js';

export interface MapEnvironment extends DatabaseEnvironment {
  tenantId: string;
  /** Prints a warning line (stderr). */
  say?: (line: string) => void;
}

export type ProposedMapping = Record<string, { field: MappedField; confidence: number; evidence: string[] }>;

/** Runs `fn` on the mapping stores of the database `leadflow run` uses. */
const withStore = <T>(env: MapEnvironment, fn: (store: MappingStore, synonyms: SynonymStore) => Promise<T>): Promise<T> =>
  withDatabase(env, [migrations], (db) => fn(createSqlMappingStore(db), createSqlSynonymStore(db)));

/**
 * What the database holds for this mapping: the supplier's confirmed mappings and the tenant's
 * header synonyms. Without a database yet there is nothing stored (map never makes one). Without
 * a supplier the database adds only the synonyms: a folder that another process holds (`leadflow
 * serve`) costs them, with a warning, not the mapping.
 */
async function storedMappings(supplier: string, env: MapEnvironment): Promise<{ confirmed?: Map<string, MappedField>; synonyms: FieldSynonyms }> {
  if (!supplier && !env.databaseUrl && !existsSync(env.dataDir)) return { synonyms: {} };
  try {
    return await withStore(env, async (store, synonyms) => ({
      confirmed: supplier ? await store.confirmed(env.tenantId, supplier) : undefined,
      synonyms: (await synonyms.get(env.tenantId)).synonyms,
    }));
  } catch (err) {
    if (supplier || !(err instanceof DataDirError && err.code === 'DATA_DIR_IN_USE')) throw err;
    env.say?.(`leadflow map: warning: ${err.message}; mapped without the tenant's header synonyms`);
    return { synonyms: {} };
  }
}

/**
 * `leadflow map FILE`: the mapping `leadflow run` would use, decided on the file's first rows,
 * with each column's confidence and evidence. `--set` changes a column's field; `--confirm`
 * stores the result for the supplier, and later files of that supplier are mapped by it.
 * Throws a one-line Error for a file it cannot read.
 */
export async function mapCommand(args: MapArgs, env: MapEnvironment): Promise<ProposedMapping> {
  const file = resolve(args.file);
  readableFile(file, 'file');
  const job = { jobId: 'map', tenantId: env.tenantId, supplier: args.supplier, webhookUrl: '', fileName: '', sheet: args.sheet, review: false };
  const rows = readRows(createReadStream(file, { highWaterMark: 256 * 1024 }), { job, batchSize: 500, sheet: args.sheet || undefined });
  const next = await rows.next();
  const first = next.done ? undefined : next.value;
  await rows.return(undefined);
  if (!first || (first.failure && first.rows.length === 0)) {
    throw new Error(first?.failure ? `${first.failure.message} [${first.failure.code}]` : 'the file could not be read');
  }
  for (const [header, field] of Object.entries(args.overrides)) {
    if (!first.header.includes(header)) throw new UsageError(`--set names "${header}", which is not a header of the file; its headers are ${first.header.map((h) => `"${h}"`).join(', ')}`);
    if (field !== 'extra' && !(CANONICAL_FIELDS as readonly string[]).includes(field)) {
      throw new UsageError(`--set "${header}=${field}": "${field}" is not a lead field; use one of ${CANONICAL_FIELDS.join(', ')}, or extra`);
    }
  }
  // The tenant's header synonyms count as they do for its jobs (PUT /v1/mapping/synonyms).
  const { confirmed, synonyms } = await storedMappings(args.supplier, env);
  const columns = first.header.map((_, i) => first.rows.map((r) => r.cells[i] ?? ''));
  const decisions = mapColumns(first.header, columns, { confirmed, aliases: withSynonyms(synonyms) }).map((d) =>
    d.header in args.overrides
      ? { ...d, field: args.overrides[d.header] as MappedField, confidence: 1, evidence: [{ kind: 'supplier' as const, detail: 'set by hand' }] }
      : d,
  );
  if (args.confirm) {
    await withStore(env, (store) => store.confirm(env.tenantId, args.supplier, decisions.map((d) => ({ header: d.header, field: d.field })), { by: 'map_command' }));
  }
  return Object.fromEntries(decisions.map((d) => [d.header, { field: d.field, confidence: d.confidence, evidence: d.evidence.map((e) => e.detail) }]));
}
