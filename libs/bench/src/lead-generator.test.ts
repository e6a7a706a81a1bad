import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { readRows } from '@leadflow/ingest';
import { createMappingStage } from '@leadflow/mapping';
import { isFanout } from '@leadflow/pipeline';
import { Disposition } from '@leadflow/proto';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_HEADER, generateLeadFile, INJECTED_RATES } from './lead-generator.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-generator-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const generate = (rows: number, seed: number, name = `${rows}-${seed}.csv`) => generateLeadFile({ path: join(dir, name), rows, seed });
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('the benchmark lead file', () => {
  it('is the same file, byte for byte, for the same seed, and another file for another seed', () => {
    const a = generate(3000, 42, 'a.csv');
    const b = generate(3000, 42, 'b.csv');
    const c = generate(3000, 43, 'c.csv');
    expect(sha(a.path)).toBe(sha(b.path));
    expect(a.kinds).toEqual(b.kinds);
    expect(sha(c.path)).not.toBe(sha(a.path));
  });

  it('holds the rows asked for, with thousands of distinct names and streets and a dozen phone formats', () => {
    const file = generate(20_000, 7);
    const records = parse(readFileSync(file.path), { bom: true, relax_column_count: false }) as string[][];
    expect(records[0]).toEqual(BENCH_HEADER);
    expect(records).toHaveLength(20_001);
    const column = (name: string) => records.slice(1).map((r) => r[BENCH_HEADER.indexOf(name)]!);
    const distinct = (xs: string[]) => new Set(xs.filter(Boolean).map((x) => x.toLowerCase())).size;
    expect(distinct(column('First Name'))).toBeGreaterThan(600);
    expect(distinct(column('Last Name'))).toBeGreaterThan(1500);
    expect(distinct(column('Street').map((s) => s.replace(/^\d+ /, '').replace(/ \w+$/, '')))).toBeGreaterThan(1500);
    expect(distinct(column('City'))).toBeGreaterThan(1000);
    const shapes = new Set(column('Phone').filter((p) => /\d{4}/.test(p)).map((p) => p.replace(/\d/g, '9')));
    expect(shapes.size).toBeGreaterThanOrEqual(12);
    expect(bytesOf(file.path)).toBe(file.bytes);
  });

  it('injects repeats, households and invalid rows at the documented rates, and counts them', () => {
    const { kinds, expected, rows } = generate(50_000, 11);
    expect(Object.values(kinds).reduce((a, b) => a + b, 0)).toBe(rows);
    for (const [kind, rate] of Object.entries(INJECTED_RATES)) {
      // Repeats need an earlier person with what they copy, so they fall a little short of the rate.
      expect(kinds[kind as keyof typeof INJECTED_RATES] / rows, kind).toBeGreaterThan(rate * 0.75);
      expect(kinds[kind as keyof typeof INJECTED_RATES] / rows, kind).toBeLessThan(rate * 1.15);
    }
    expect(expected.duplicate).toBe(kinds.exactRepeat + kinds.retypedRepeat + kinds.fuzzyRepeat);
    expect(expected.accepted + expected.duplicate + expected.invalid).toBe(rows);
  });

  it('makes exactly the injected invalid rows INVALID when the pipeline maps the file', async () => {
    const file = generate(5000, 3);
    const stage = createMappingStage();
    const job = { jobId: 'bench-generator', tenantId: 'bench', supplier: '', webhookUrl: '', fileName: 'leads.csv', sheet: '', review: false };
    let invalid = 0;
    let rows = 0;
    for await (const batch of readRows(createReadStream(file.path), { job, batchSize: 500 })) {
      const mapped = await stage(batch);
      for (const b of isFanout(mapped) ? mapped.outputs : [mapped]) {
        rows += b.rows.length;
        invalid += b.rows.filter((r) => r.disposition === Disposition.DISPOSITION_INVALID).length;
      }
    }
    expect(rows).toBe(5000);
    expect(invalid).toBe(file.expected.invalid);
  });
});

function bytesOf(path: string): number {
  return readFileSync(path).length;
}
