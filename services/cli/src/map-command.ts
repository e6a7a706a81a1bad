import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { readRows } from '@leadflow/ingest';
import { createSqlMappingStore, mapColumns, migrations, type MappedField } from '@leadflow/mapping';
import { createPglite, createPostgres, migrate } from '@leadflow/stores';
import type { MapArgs } from './args.js';
import { readableFile } from './run-command.js';

export interface MapEnvironment {
  databaseUrl?: string;
  dataDir: string;
  tenantId: string;
}

export type ProposedMapping = Record<string, { field: MappedField; confidence: number; evidence: string[] }>;

/** The supplier's confirmed mappings, from the database `leadflow run` uses. */
async function confirmedFor(env: MapEnvironment, supplier: string): Promise<ReadonlyMap<string, MappedField>> {
  const db = env.databaseUrl ? createPostgres({ url: env.databaseUrl }) : await createPglite({ dataDir: env.dataDir });
  try {
    await migrate(db, migrations);
    return await createSqlMappingStore(db).confirmed(env.tenantId, supplier);
  } finally {
    await db.close();
  }
}

/**
 * `leadflow map FILE`: the mapping `leadflow run` would use, decided on the file's first rows,
 * with each column's confidence and evidence. Throws a one-line Error for a file it cannot read.
 */
export async function mapCommand(args: MapArgs, env: MapEnvironment): Promise<ProposedMapping> {
  const file = resolve(args.file);
  readableFile(file, 'file');
  const job = { jobId: 'map', tenantId: env.tenantId, supplier: args.supplier, webhookUrl: '', fileName: '', sheet: args.sheet };
  const rows = readRows(createReadStream(file, { highWaterMark: 256 * 1024 }), { job, batchSize: 500, sheet: args.sheet || undefined });
  const next = await rows.next();
  const first = next.done ? undefined : next.value;
  await rows.return(undefined);
  if (!first || (first.failure && first.rows.length === 0)) {
    throw new Error(first?.failure ? `${first.failure.message} [${first.failure.code}]` : 'the file could not be read');
  }
  const confirmed = args.supplier ? await confirmedFor(env, args.supplier) : undefined;
  const columns = first.header.map((_, i) => first.rows.map((r) => r.cells[i] ?? ''));
  const decisions = mapColumns(first.header, columns, { confirmed });
  return Object.fromEntries(decisions.map((d) => [d.header, { field: d.field, confidence: d.confidence, evidence: d.evidence.map((e) => e.detail) }]));
}
