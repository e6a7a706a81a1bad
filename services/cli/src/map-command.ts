import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { readRows } from '@leadflow/ingest';
import { CANONICAL_FIELDS, createSqlMappingStore, mapColumns, migrations, type MappedField, type MappingStore } from '@leadflow/mapping';
import { UsageError, type MapArgs } from './args.js';
import { readableFile } from './run-command.js';
import { withDatabase, type DatabaseEnvironment } from './with-database.js';

export interface MapEnvironment extends DatabaseEnvironment {
  tenantId: string;
}

export type ProposedMapping = Record<string, { field: MappedField; confidence: number; evidence: string[] }>;

/** Runs `fn` on the mapping store of the database `leadflow run` uses. */
const withStore = <T>(env: MapEnvironment, fn: (store: MappingStore) => Promise<T>): Promise<T> =>
  withDatabase(env, [migrations], (db) => fn(createSqlMappingStore(db)));

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
  const confirmed = args.supplier ? await withStore(env, (store) => store.confirmed(env.tenantId, args.supplier)) : undefined;
  const columns = first.header.map((_, i) => first.rows.map((r) => r.cells[i] ?? ''));
  const decisions = mapColumns(first.header, columns, { confirmed }).map((d) =>
    d.header in args.overrides
      ? { ...d, field: args.overrides[d.header] as MappedField, confidence: 1, evidence: [{ kind: 'supplier' as const, detail: 'set by hand' }] }
      : d,
  );
  if (args.confirm) {
    await withStore(env, (store) => store.confirm(env.tenantId, args.supplier, decisions.map((d) => ({ header: d.header, field: d.field }))));
  }
  return Object.fromEntries(decisions.map((d) => [d.header, { field: d.field, confidence: d.confidence, evidence: d.evidence.map((e) => e.detail) }]));
}
