import { createReadStream, existsSync } from 'node:fs';

/**
 * Records in a CSV file (header included): line breaks outside quoted fields. A run killed
 * halfway leaves its last record cut, which counts as one.
 */
export async function countCsvRecords(path: string): Promise<number> {
  if (!existsSync(path)) return 0;
  let records = 0;
  let quoted = false;
  let pending = false;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (byte === 0x22) quoted = !quoted; // a doubled quote toggles twice: no change
      else if (byte === 0x0a && !quoted) {
        records++;
        pending = false;
        continue;
      }
      pending = true;
    }
  }
  return records + (pending ? 1 : 0);
}
