import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type Lead, type LeadBatch } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import {
  createPglite, createSqlDncExemptions, createSqlDncRegistry, dncFileParts, dncListMigrations, exemptionUntil, migrate, type DncListKind, type DncLoadMode,
  type SqlClient,
} from '@leadflow/stores';
import { AUDIT_PHONE_PURPOSE, createDncStage, createSqlDncAudit, migrations } from './index.js';

const keys = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'the test');
const hashOf = (phone: string) => keys.keyedHash(AUDIT_PHONE_PURPOSE, phone);

let jobs = 0;
function batch(leads: Partial<Lead>[], tenantId: string): LeadBatch {
  const jobId = `supp-${++jobs}`;
  return {
    job: { jobId, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: [], mapping: [], last: false, totalRows: 0, failure: undefined,
    rows: leads.map((l, i) => ({
      rowNumber: i + 1, lead: { ...emptyLead(), ...l }, disposition: Disposition.DISPOSITION_ACCEPTED, reasons: [], tags: [], qualityScore: 0,
      match: undefined, raw: [], leadId: leadIdFor(jobId, i + 1),
    })),
  };
}

const TODAY = '2026-12-02';
const codes = (b: LeadBatch) => b.rows.map((r) => r.reasons.map((x) => x.code));
const S = Disposition.DISPOSITION_SUPPRESSED;
const A = Disposition.DISPOSITION_ACCEPTED;

describe('suppression lists and exemptions in the dnc stage', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, dncListMigrations);
  });
  afterAll(() => db.close());

  const load = (kind: DncListKind, owner: string, body: string, mode: DncLoadMode = 'replace') =>
    createSqlDncRegistry(db).load({ kind, owner, mode, source: 'test', snapshotDate: TODAY, normalize: (t) => (/^\+\d+$/.test(t) ? t : undefined) }, dncFileParts('f.txt', [body]));
  const stageOf = () => createDncStage({ registry: createSqlDncRegistry(db), audit: createSqlDncAudit(db, hashOf), exemptions: createSqlDncExemptions(db), today: () => TODAY });

  it('suppresses by each suppression kind, own and alternate values, naming the list and version; expired entries do not suppress', async () => {
    const t = 'supp-a';
    await load('suppression:email', t, 'email,expires\nAnn@X.org\nold@x.org,2020-01-01\nlater@x.org,2099-01-01\n');
    await load('suppression:domain', t, '@Spam.example\n');
    const r = await load('suppression:phone', t, '+12015550111\n+12015550112,2020-06-30T00:00:00Z\n');
    expect([r.size, r.head.version]).toEqual([2, 1]);
    const out = await stageOf()(batch([
      { email: 'ann@x.org' },
      { email: 'bob@y.org', alternateEmails: [{ value: 'later@x.org', header: 'Email 2' }] },
      { email: 'eve@spam.example' },
      { phone: '+12125550100', alternatePhones: [{ value: '+12015550111', header: 'Mobile' }] },
      { email: 'old@x.org', phone: '+12015550112' },
      { email: 'carl@x.org', phone: '+12125550101' },
    ], t));
    expect(out.rows.map((r) => r.disposition)).toEqual([S, S, S, S, A, A]);
    expect(out.rows.slice(0, 4).map((r) => r.reasons)).toEqual([
      [{ code: 'SUPPRESSED_EMAIL', field: 'email', detail: `Suppression (email) ${TODAY}, version 1` }],
      [{ code: 'SUPPRESSED_EMAIL', field: 'alternate_emails', detail: `later@x.org (column "Email 2") on Suppression (email) ${TODAY}, version 1` }],
      [{ code: 'SUPPRESSED_DOMAIN', field: 'email', detail: `spam.example of eve@spam.example on Suppression (domain) ${TODAY}, version 1` }],
      [{ code: 'SUPPRESSED_PHONE', field: 'alternate_phones', detail: `+12015550111 (column "Mobile") on Suppression (phone) ${TODAY}, version 1` }],
    ]);
    // Another tenant's lists are not its.
    expect((await stageOf()(batch([{ email: 'ann@x.org', phone: '+12015550111' }], 'supp-b'))).rows[0]!.disposition).toBe(A);
  });

  it('changes entries and their expiry through a change list', async () => {
    const t = 'supp-c';
    await load('suppression:email', t, 'a@x.org\nb@x.org\n');
    const r = await load('suppression:email', t, 'a@x.org,D\nb@x.org,2020-01-01,A\nc@x.org,A\n', 'changes');
    expect([r.added, r.removed, r.size, r.head.version]).toEqual([1, 1, 2, 2]);
    const out = await stageOf()(batch([{ email: 'a@x.org' }, { email: 'b@x.org' }, { email: 'c@x.org' }], t));
    expect(out.rows.map((r) => r.disposition)).toEqual([A, A, S]);
  });

  it('exempts from national and state lists within the windows, never from internal, litigator or suppression lists, and audits the exemption', async () => {
    const t = 'supp-e';
    const reg = createSqlDncRegistry(db);
    const [inPurchase, outPurchase, inInquiry, outInquiry, consent, revoked, internal, byEmail, fileConsent, suppressed] = [
      '+13035550101', '+13035550102', '+13035550103', '+13035550104', '+13035550105', '+13035550106', '+13035550107', '+13035550108', '+13035550109', '+13035550110',
    ];
    await reg.add([inPurchase, outPurchase, inInquiry, outInquiry, consent, revoked, internal, byEmail, fileConsent, suppressed]);
    await reg.add([internal], { tenantId: t });
    await load('suppression:phone', t, `${suppressed}\n`);
    const ex = createSqlDncExemptions(db);
    const evidence = { evidenceUrl: 'https://cert.example/1', evidenceText: '' };
    const p = await ex.add(t, { phone: inPurchase, kind: 'ebr_purchase', date: '2025-06-03', ...evidence });
    await ex.add(t, { phone: outPurchase, kind: 'ebr_purchase', date: '2025-06-01', ...evidence });
    await ex.add(t, { phone: inInquiry, kind: 'ebr_inquiry', date: '2026-09-02', ...evidence });
    await ex.add(t, { phone: outInquiry, kind: 'ebr_inquiry', date: '2026-09-01', ...evidence });
    await ex.add(t, { phone: consent, kind: 'consent', date: '2019-01-01', ...evidence });
    const gone = await ex.add(t, { phone: revoked, kind: 'consent', date: '2019-01-01', ...evidence });
    expect(await ex.revoke(t, gone.id)).toBe(true);
    await ex.add(t, { phone: internal, kind: 'consent', date: '2019-01-01', ...evidence });
    await ex.add(t, { email: 'pat@x.org', kind: 'ebr_purchase', date: '2026-01-01', ...evidence });
    await ex.add(t, { phone: suppressed, kind: 'consent', date: '2019-01-01', ...evidence });
    expect([exemptionUntil('ebr_purchase', '2025-06-02'), exemptionUntil('ebr_inquiry', '2026-11-30')]).toEqual(['2026-12-02', '2027-02-28']);

    const out = await stageOf()(batch([
      { phone: inPurchase }, { phone: outPurchase }, { phone: inInquiry }, { phone: outInquiry }, { phone: consent }, { phone: revoked },
      { phone: internal }, { phone: byEmail, email: 'Pat@x.org' }, { phone: fileConsent, consentDate: '2026-03-01', consentCertificateUrl: 'https://cert.example/2' },
      { phone: suppressed },
    ], t));
    expect(out.rows.map((r) => r.disposition)).toEqual([A, S, A, S, A, S, S, A, A, S]);
    expect(codes(out)).toEqual([
      ['DNC_EXEMPT'], ['DNC_NATIONAL'], ['DNC_EXEMPT'], ['DNC_NATIONAL'], ['DNC_EXEMPT'], ['DNC_NATIONAL'],
      ['DNC_EXEMPT', 'DNC_INTERNAL'], ['DNC_EXEMPT'], ['DNC_EXEMPT'], ['DNC_EXEMPT', 'SUPPRESSED_PHONE'],
    ]);
    const v = out.rows[0]!.reasons[0]!.detail;
    expect(v).toMatch(new RegExp(`^exempt from National \\(USA\\) ${TODAY.slice(0, 4)}-\\d\\d-\\d\\d, version \\d+ by ebr_purchase 2025-06-03 \\(exemption ${p.id}\\)$`));
    expect(out.rows[8]!.reasons[0]!.detail).toMatch(/by consent 2026-03-01 \(the file's consent columns\)$/);
    const { rows } = await db.query<{ row_number: number; list: string; listed: boolean; exemption: string | null }>(
      `SELECT row_number, list, listed, exemption FROM dnc_audit WHERE job_id = $1 AND listed ORDER BY row_number, list`,
      [out.job!.jobId],
    );
    expect(rows.filter((r) => r.row_number === 1 || r.row_number === 2 || r.row_number === 7)).toEqual([
      { row_number: 1, list: 'national', listed: true, exemption: `ebr_purchase 2025-06-03 (exemption ${p.id})` },
      { row_number: 2, list: 'national', listed: true, exemption: null },
      { row_number: 7, list: 'internal', listed: true, exemption: null },
      { row_number: 7, list: 'national', listed: true, exemption: 'consent 2019-01-01 (exemption ' + rows.find((r) => r.row_number === 7 && r.list === 'national')!.exemption!.split('(exemption ')[1] },
    ]);
  });

  it('does not exempt from a litigator list', async () => {
    const t = 'supp-l';
    const phone = '+13035550199';
    await createSqlDncRegistry(db).load(
      { kind: 'litigator', owner: '', mode: 'add', source: 'test', normalize: () => undefined },
      dncFileParts('l.txt', [`${phone}\n`]),
    );
    await createSqlDncExemptions(db).add(t, { phone, kind: 'consent', date: '2026-01-01', evidenceUrl: '', evidenceText: 'signed form' });
    const out = await stageOf()(batch([{ phone }], t));
    expect(out.rows[0]!.disposition).toBe(S);
    expect(codes(out)).toEqual([['DNC_LITIGATOR']]);
  });
});
