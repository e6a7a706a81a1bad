import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { normalizePhone } from '@leadflow/mapping';
import type { DncRegistry } from '@leadflow/stores';

export interface DncFileResult {
  added: number;
  /** 1-based line numbers that held something other than a phone number. */
  badLines: number[];
}

/**
 * Loads a Do-Not-Call file into the tenant's internal list, which the data folder (or
 * DATABASE_URL) keeps for every later run and for `serve`: one number per line in any common format ("(201) 555-0123",
 * "+1 201 555 0123", "2015550123"); blank lines and lines starting with # are skipped, and
 * a line with commas counts by its first cell (a one-column CSV with a header works too).
 */
export async function loadDncFile(path: string, registry: DncRegistry, tenantId: string, defaultRegion = 'US'): Promise<DncFileResult> {
  const numbers: string[] = [];
  const badLines: number[] = [];
  let lineNumber = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    lineNumber++;
    const cell = line.split(',')[0]!.replace(/^\uFEFF/, '').replace(/^"|"$/g, '').trim();
    if (!cell || cell.startsWith('#')) continue;
    const e164 = normalizePhone(cell, defaultRegion);
    if (e164) numbers.push(e164);
    else if (!(lineNumber === 1 && /[a-z]/i.test(cell))) badLines.push(lineNumber);
  }
  return { added: await registry.add(numbers, { tenantId }, 'leadflow run --dnc'), badLines };
}
