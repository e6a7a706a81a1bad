import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type Lead, type LeadBatch } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createPglite, createSqlDncRegistry, createSqlErasedSubjects, dncListMigrations, ERASED_PURPOSES, migrate, type SqlClient } from '@leadflow/stores';
import { AUDIT_PHONE_PURPOSE, createDncStage, createErasedScreen, createSqlDncAudit, migrations, rescreenPage, type RescreenLead, type RescreenSuppressed } from './index.js';

const oldKeys = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'the test');
const k1 = parseSecretKeys(newKeyEntry('k1'));
const k2 = parseSecretKeys(newKeyEntry('k2'));

let jobs = 0;
function batch(leads: Partial<Lead>[], tenantId: string): LeadBatch {
  const jobId = `erased-${++jobs}`;
  return {
    job: { jobId, tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: [], mapping: [], last: false, totalRows: 0, failure: undefined,
    rows: leads.map((l, i) => ({
      rowNumber: i + 1, lead: { ...emptyLead(), ...l }, disposition: Disposition.DISPOSITION_ACCEPTED, reasons: [], tags: [], qualityScore: 0,
      match: undefined, raw: [], leadId: leadIdFor(jobId, i + 1),
    })),
  };
}

const S = Disposition.DISPOSITION_SUPPRESSED;
const A = Disposition.DISPOSITION_ACCEPTED;

describe('persons erased by keyed hash, in the dnc stage', () => {
  let db: SqlClient;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    await migrate(db, dncListMigrations);
  });
  afterAll(() => db.close());

  it('suppresses every email and phone, own or alternate, of an erased person, naming the erasure and never the value; other tenants untouched', async () => {
    const keys = createKeyring(k1, 'the test');
    const subjects = createSqlErasedSubjects(db);
    await subjects.add('t1', [
      { kind: 'email', ...keys.keyedHash(ERASED_PURPOSES.email, 'erin@x.org') },
      { kind: 'phone', ...keys.keyedHash(ERASED_PURPOSES.phone, '+12015550177') },
    ], '7');
    const day = new Date().toISOString().slice(0, 10);
    const erased = createErasedScreen({ subjects, hashes: keys.keyedHashes });
    const stage = createDncStage({ registry: createSqlDncRegistry(db), audit: createSqlDncAudit(db, (p) => keys.keyedHash(AUDIT_PHONE_PURPOSE, p)), erased });
    const out = await stage(batch([
      { email: 'erin@x.org', phone: '+12015550177' },
      { email: 'bob@y.org', alternateEmails: [{ value: 'Erin@X.org', header: 'Email 2' }] },
      { phone: '+12125550100', alternatePhones: [{ value: '+12015550177', header: 'Mobile' }] },
      { email: 'ann@x.org', phone: '+12125550101' },
    ], 't1'));
    expect(out.rows.map((r) => r.disposition)).toEqual([S, S, S, A]);
    expect(out.rows.slice(0, 3).map((r) => r.reasons)).toEqual([
      [
        { code: 'SUPPRESSED_PHONE', field: 'phone', detail: `erased on request ${day}` },
        { code: 'SUPPRESSED_EMAIL', field: 'email', detail: `erased on request ${day}` },
      ],
      [{ code: 'SUPPRESSED_EMAIL', field: 'alternate_emails', detail: `erased on request ${day} (column "Email 2")` }],
      [{ code: 'SUPPRESSED_PHONE', field: 'alternate_phones', detail: `erased on request ${day} (column "Mobile")` }],
    ]);
    expect(JSON.stringify(out.rows.map((r) => r.reasons))).not.toMatch(/erin|5550177/i);
    expect((await stage(batch([{ email: 'erin@x.org', phone: '+12015550177' }], 't2'))).rows[0]!.disposition).toBe(A);
  });

  it('matches hashes made under a key rotated out of sealing, while the ring still holds it; a change is seen once forgotten', async () => {
    const subjects = createSqlErasedSubjects(db);
    const before = createKeyring(k1, 'the test');
    await subjects.add('t3', [{ kind: 'phone', ...before.keyedHash(ERASED_PURPOSES.phone, '+12015550188') }]);
    const rotated = createKeyring([...k2, ...k1], 'the test');
    const erased = createErasedScreen({ subjects, hashes: rotated.keyedHashes, ttlMs: 60_000 });
    expect(await erased.match('t3', [{ kind: 'phone', value: '+12015550188' }, { kind: 'email', value: 'x@y.org' }])).toEqual([expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), undefined]);
    // Hashed under the new sealing key: read only once the tenant is forgotten (the gateway tells serve's stage).
    await subjects.add('t3', [{ kind: 'email', ...rotated.keyedHash(ERASED_PURPOSES.email, 'x@y.org') }]);
    expect((await erased.match('t3', [{ kind: 'email', value: 'x@y.org' }]))[0]).toBeUndefined();
    erased.forget('t3');
    expect((await erased.match('t3', [{ kind: 'email', value: 'x@y.org' }]))[0]).toBeDefined();
    // A ring without the old key no longer finds the old hash; a hash of another purpose is no match.
    const only2 = createErasedScreen({ subjects, hashes: createKeyring(k2, 'the test').keyedHashes });
    expect(await only2.match('t3', [{ kind: 'phone', value: '+12015550188' }])).toEqual([undefined]);
    await subjects.add('t4', [{ kind: 'phone', ...oldKeys.keyedHash(AUDIT_PHONE_PURPOSE, '+12015550188') }]);
    expect(await createErasedScreen({ subjects, hashes: oldKeys.keyedHashes }).match('t4', [{ kind: 'phone', value: '+12015550188' }])).toEqual([undefined]);
  });

  it('re-screening stored leads suppresses a lead of an erased person, through the same stage', async () => {
    const keys = createKeyring(k1, 'the test');
    const subjects = createSqlErasedSubjects(db);
    await subjects.add('t5', [{ kind: 'email', ...keys.keyedHash(ERASED_PURPOSES.email, 'erin@x.org') }]);
    const lead = (id: string, rowNumber: number, email: string, alternates: string[] = []): RescreenLead => ({
      id, tenantId: 't5', jobId: 'j5', rowNumber, phone: '', email, state: '', consentDate: '', alternates: { emails: alternates, phones: [] },
    });
    const stored = [lead('l1', 1, 'ann@x.org'), lead('l2', 2, 'bob@x.org', ['erin@x.org'])];
    const marked: RescreenSuppressed[] = [];
    const erased = createErasedScreen({ subjects, hashes: keys.keyedHashes });
    const outcome = await rescreenPage({
      db,
      leads: {
        nextTenant: async (after) => (after === '' ? 't5' : null),
        page: async (q) => (q.after === null ? stored : []),
        screened: async () => {},
        suppress: async (_tx, tenantId, leads) => {
          const out = leads.map((l) => ({ ...l, tenantId, jobId: 'j5', rowNumber: 2, suppressedAt: '' }));
          marked.push(...out);
          return out;
        },
      },
      stageFor: (rescreen) => createDncStage({ registry: createSqlDncRegistry(db), audit: createSqlDncAudit(db, (p) => keys.keyedHash(AUDIT_PHONE_PURPOSE, p), { rescreen }), erased }),
      notify: async () => {},
    }, { id: '1', tenantId: 't5', jobId: null, dueBefore: null, cursor: null });
    expect(outcome.suppressed).toBe(1);
    expect(marked.map((m) => [m.id, m.reasons.map((r) => [r.code, r.field])])).toEqual([['l2', [['SUPPRESSED_EMAIL', 'alternate_emails']]]]);
  });
});
