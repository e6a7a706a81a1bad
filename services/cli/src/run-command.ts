import { randomUUID } from 'node:crypto';
import { accessSync, constants, createReadStream, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSqlDeliveryStore } from '@leadflow/delivery';
import { exportCsv, supplierRef } from '@leadflow/gateway';
import { fileLabels } from '@leadflow/pipeline';
import { checkOutboundUrl, OutboundRefusal, type OutboundRules } from '@leadflow/outbound';
import type { RunArgs } from './args.js';
import { CommandError, fsReason } from './command-error.js';
import { loadDncFile } from './dnc-file.js';
import { createOutputFiles, type Summary } from './output-files.js';
import { createProgressBar } from './progress-bar.js';
import { openStandalone, type StandaloneEnvironment } from './standalone.js';

export interface RunEnvironment extends StandaloneEnvironment {
  /** Where the one-line messages go. */
  say: (line: string) => void;
}

/** The file's size; a CommandError when it is missing, a folder or cannot be read. */
export function readableFile(path: string, what: string): number {
  let stat;
  try {
    stat = statSync(path);
    accessSync(path, constants.R_OK);
  } catch (err) {
    throw new CommandError((err as { code?: string }).code === 'ENOENT' ? `no such ${what}: ${path}` : `cannot read ${what} ${path}: ${fsReason(err)}`);
  }
  if (!stat.isFile()) throw new CommandError(`${path} is ${stat.isDirectory() ? 'a folder' : 'not a regular file'}, not a ${what}`);
  return stat.size;
}

/** Creates the output folder (and its parents) before any work starts; a CommandError when it cannot be made or written. */
function prepareOutputFolder(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new CommandError(`cannot create the output folder ${dir}: ${fsReason(err)}; choose another with --out`);
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new CommandError(`cannot write to the output folder ${dir}: ${fsReason(err)}; choose another with --out`);
  }
}

/** Refuses, before any work, a webhook that delivery would refuse at every connection. */
async function checkWebhook(url: string, rules: OutboundRules): Promise<void> {
  try {
    await checkOutboundUrl(url, rules);
  } catch (err) {
    if (!(err instanceof OutboundRefusal)) throw err;
    const allow = err.setting ? `; to deliver there anyway, set ${err.setting}` : '';
    throw new CommandError(`--webhook "${url}" is not allowed (WEBHOOK_URL_FORBIDDEN): ${err.reason}${allow}`);
  }
}

/**
 * `leadflow run FILE [FILE ...]`: the files end to end in this process, as one job (several
 * files: docs/several-files.md); the results in the output folder.
 */
/**
 * How long \`leadflow run --webhook\` waits, after its last lead is stored, for its outbox: what is
 * left (a retry due later) is sent by the next \`run\` or \`serve\` on the same data folder.
 */
const RUN_DELIVERY_WAIT_MS = 120_000;

export async function runCommand(args: RunArgs, env: RunEnvironment): Promise<Summary> {
  const paths = (args.files ?? [args.file]).map((f) => resolve(f));
  const file = paths[0]!;
  const size = paths.reduce((total, path) => total + readableFile(path, 'file'), 0);
  const names = paths.map((path) => path.split('/').pop() ?? '');
  if (args.dnc) readableFile(resolve(args.dnc), 'DNC file');
  if (args.webhook) await checkWebhook(args.webhook, env.outbound);
  const outDir = resolve(args.out);
  prepareOutputFolder(outDir);

  const standalone = await openStandalone({
    databaseUrl: env.databaseUrl,
    dataDir: env.dataDir,
    logger: env.logger,
    metrics: env.metrics,
    batchSize: env.batchSize,
    limits: env.limits,
    dedupPolicy: env.dedupPolicy,
    outbound: env.outbound,
    secretKeys: env.secretKeys,
    auditRetentionDays: env.auditRetentionDays,
    rawRetention: env.rawRetention,
    dncSettings: env.dncSettings,
    delivery: env.delivery,
  });
  try {
    if (args.dnc) {
      const { added, badLines } = await loadDncFile(resolve(args.dnc), standalone.dnc, env.tenantId);
      if (badLines.length > 0) {
        const shown = badLines.slice(0, 5).join(', ') + (badLines.length > 5 ? ', ...' : '');
        env.say(`leadflow: warning: ${badLines.length} line(s) of the DNC file are not phone numbers and were skipped (lines ${shown})`);
      }
      env.logger.info({ added }, 'DNC numbers loaded');
    }
    const jobId = randomUUID();
    const named = { jobId, tenantId: env.tenantId, supplier: args.supplier, webhookUrl: args.webhook ?? '', fileName: names[0]!, sheet: args.sheet, review: false };
    // The job's supplier as the API's uploads have it: registered if new, its phone region applied.
    const supplier = await standalone.jobs.create({ id: jobId, tenantId: named.tenantId, supplier: named.supplier, fileName: named.fileName, webhookUrl: named.webhookUrl });
    const job = { ...named, ...supplierRef(supplier) };
    if (paths.length > 1) {
      // The job's files as an upload of several records them (the `file` column names them).
      const labels = fileLabels(names);
      await standalone.jobs.setUploaded(jobId, size, paths.map((path, i) => ({ name: labels[i]!, bytes: statSync(path).size })));
    }

    const out = createOutputFiles(outDir, jobId, names, (kind) => exportCsv(standalone.db, kind, jobId, env.tenantId));
    const progress = createProgressBar(size);
    async function* counted(path: string): AsyncGenerator<Uint8Array> {
      for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
        progress.bytesRead(chunk.length);
        yield chunk;
      }
    }
    await standalone.processJob(
      job,
      paths.length > 1 ? paths.map((path, i) => ({ name: names[i]!, chunks: counted(path) })) : counted(file),
      [
        async (batch) => {
          await out.write(batch);
          progress.rowsDone(batch.rows.length);
        },
      ],
      (batch) => progress.rowsRead(batch.rows.length, batch.last),
    );
    progress.finish();
    // Its leads are in the outbox: the run waits, bounded, for what is due meanwhile to be sent.
    await standalone.drainDelivery(jobId, RUN_DELIVERY_WAIT_MS);
    // Rows with phones a stale national or state list holds (docs/dnc-lists.md, "Freshness"): kept in the data folder.
    const { rows: [held] } = await standalone.db.query<{ rows: number; lists: string | null }>(
      'SELECT count(*)::int AS rows, min(lists) AS lists FROM dnc_held_rows WHERE job_id = $1',
      [jobId],
    );
    return await out.close(
      args.webhook ? await createSqlDeliveryStore(standalone.db).jobOutcome(jobId) : undefined,
      held && held.rows > 0 ? { rows: held.rows, lists: held.lists ?? '' } : undefined,
    );
  } finally {
    await standalone.close();
  }
}
