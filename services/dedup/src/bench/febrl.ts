import { createReadStream } from 'node:fs';
import { readRows } from '@leadflow/ingest';
import { createMappingStage } from '@leadflow/mapping';
import { isFanout } from '@leadflow/pipeline';
import type { LeadRow } from '@leadflow/proto';

/** A file's rows as the pipeline reads and maps them: ingest, then the mapping stage, as a supplier's file. */
export async function mappedRows(file: string): Promise<LeadRow[]> {
  const stage = createMappingStage();
  const job = { jobId: `bench-${file}`, tenantId: 'bench', supplier: '', webhookUrl: '', fileName: file, sheet: '', review: false };
  const out: LeadRow[] = [];
  for await (const batch of readRows(createReadStream(file), { job, batchSize: 500 })) {
    const mapped = await stage(batch);
    for (const b of isFanout(mapped) ? mapped.outputs : [mapped]) out.push(...b.rows);
  }
  return out;
}

/** Precision, recall and F1 of duplicate pairs: the true pairs against the pairs of the clusters the links make. */
export function pairScores(entities: readonly string[], links: readonly [number, number][]) {
  const parent = entities.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (const [a, b] of links) parent[find(a)] = find(b);
  const clusters = new Map<number, number[]>();
  entities.forEach((_, i) => {
    const root = find(i);
    clusters.set(root, [...(clusters.get(root) ?? []), i]);
  });
  let predicted = 0;
  let correct = 0;
  for (const members of clusters.values()) {
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        predicted++;
        if (entities[members[x]!] === entities[members[y]!]) correct++;
      }
    }
  }
  const byEntity = new Map<string, number>();
  for (const e of entities) byEntity.set(e, (byEntity.get(e) ?? 0) + 1);
  let truePairs = 0;
  for (const n of byEntity.values()) truePairs += (n * (n - 1)) / 2;
  const precision = predicted === 0 ? 1 : correct / predicted;
  const recall = truePairs === 0 ? 1 : correct / truePairs;
  return { truePairs, predicted, correct, precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
}
