import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readCsvFile, runNode, tempDir } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));
const leadflow = (args: string[], env: Record<string, string>) => runNode(BIN, args, { env: { LOG_LEVEL: '', DATABASE_URL: '', ...env } });

describe('suppression lists and consent columns in leadflow run', () => {
  it('leadflow dnc import loads each suppression kind; a run suppresses by them, expired entries aside, and a consent column exempts from the national list', async () => {
    const dir = tempDir('leadflow-suppression-');
    const env = { LEADFLOW_DATA_DIR: join(dir, 'db') };
    writeFileSync(join(dir, 'emails.csv'), 'email,expires\nann@supp.test\nold@supp.test,2020-01-01\n');
    writeFileSync(join(dir, 'domains.txt'), '@spam-supp.test\n');
    writeFileSync(join(dir, 'phones.txt'), '(907) 555-0311\n');
    writeFileSync(join(dir, 'national.txt'), '907,5550312\n907,5550313\n');
    for (const [file, list] of [['emails.csv', 'suppression:email'], ['domains.txt', 'suppression:domain'], ['phones.txt', 'suppression:phone'], ['national.txt', 'national']]) {
      const loaded = await leadflow(['dnc', 'import', join(dir, file!), '--list', list!, '--replace'], env);
      expect(loaded.code, loaded.stderr).toBe(0);
    }
    writeFileSync(
      join(dir, 'people.csv'),
      [
        'First Name,Email,Phone,Consent Date,TrustedForm Cert URL',
        'Ann,ann@supp.test,,,',
        'Eve,eve@spam-supp.test,,,',
        'Pat,pat@supp.test,(907) 555-0311,,',
        'Old,old@supp.test,,,',
        'Con,con@supp.test,(907) 555-0312,3/1/2026,https://cert.example.com/1',
        'Nat,nat@supp.test,(907) 555-0313,,',
        '',
      ].join('\n'),
    );
    const run = await leadflow(['run', join(dir, 'people.csv'), '--out', join(dir, 'out')], env);
    expect(run.code, run.stderr).toBe(0);
    expect(readCsvFile(join(dir, 'out', 'suppressed.csv')).map((r) => [r.email, r.reason])).toEqual([
      ['ann@supp.test', 'SUPPRESSED_EMAIL'],
      ['eve@spam-supp.test', 'SUPPRESSED_DOMAIN'],
      ['pat@supp.test', 'SUPPRESSED_PHONE'],
      ['nat@supp.test', 'DNC_NATIONAL'],
    ]);
    expect(readCsvFile(join(dir, 'out', 'leads.csv')).map((r) => r.email)).toEqual(['old@supp.test', 'con@supp.test']);
  }, 300_000);
});
