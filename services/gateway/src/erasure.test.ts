import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations as dedupMigrations } from '@leadflow/dedup';
import { migrations as deliveryMigrations } from '@leadflow/delivery';
import { nationalDigits } from '@leadflow/mapping';
import { migrations as mappingMigrations } from '@leadflow/mapping';
import { migrations as persistenceMigrations } from '@leadflow/persistence';
import { Disposition, Lead, LeadRow, RowBatch } from '@leadflow/proto';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createPglite, createSqlDncRegistry, createSqlErasedSubjects, dncListMigrations, ERASED_PURPOSES, erasedEntry, migrate, type SqlClient } from '@leadflow/stores';
import { blankMentions, mentions, subjectOf } from './erasure-match.js';
import { createErasure, ERASURE_PURPOSE } from './erasure.js';
import { moveClearErasures } from './erasure-legacy.js';
import { migrations } from './index.js';

const ERIN = subjectOf('erin@x.org', '+12015550177', nationalDigits);

describe('who erasure takes for the person', () => {
  it('finds her email in any case and her number in any spelling, and nothing else', () => {
    expect(ERIN.digits).toBe('2015550177');
    for (const text of ['ERIN@X.ORG', 'mail Erin@x.org please', '(201) 555-0177', '+1 201 555 0177', '1-201-555-0177', '201.555.0177']) expect(mentions(ERIN, text), text).toBe(true);
    for (const text of ['erin@x.com', '(201) 555-0178', 'Erin Quill', '']) expect(mentions(ERIN, text), text).toBe(false);
    expect(subjectOf('a+promo@gmail.com', undefined, nationalDigits)).toMatchObject({ emailKey: 'a@gmail.com', digits: '' });
  });

  it('empties her values in a sample, keeping the rest', () => {
    expect(blankMentions(ERIN, { columns: [{ header: 'Phone', samples: ['(201) 555-0177', '(212) 555-0100'] }], n: 3 })).toEqual({
      value: { columns: [{ header: 'Phone', samples: ['', '(212) 555-0100'] }], n: 3 },
      blanked: 1,
    });
  });
});

/**
 * The places the scenario tests (leadflow-erasure, kafka-erasure) do not reach with files: rows
 * held for a stale list and parked for review, an outbox event of several leads, a lead whose
 * alternate is hers, another tenant's copy.
 */
describe('erasure on the tables, embedded', () => {
  let db: SqlClient;
  const job = randomUUID();
  const lead = (id: string, tenant: string, row: number, email: string, phone: string, alternates = { emails: [] as string[], phones: [] as string[] }) =>
    db.query(
      `INSERT INTO leads (id, tenant_id, job_id, row_number, first_name, email, email_key, phone, alternates) VALUES ($1, $2, $3, $4, 'Someone', $5, $5, $6, $7)`,
      [id, tenant, job, row, email, phone, JSON.stringify(alternates)],
    );

  beforeAll(async () => {
    db = await createPglite();
    for (const m of [migrations, persistenceMigrations, deliveryMigrations, mappingMigrations, dedupMigrations, dncListMigrations]) await migrate(db, m);
    // The dnc service's table of held rows (its migration 004), which the gateway does not make.
    await db.exec(`CREATE TABLE dnc_held_rows (job_id text NOT NULL, row_number integer NOT NULL, tenant_id text NOT NULL, job bytea NOT NULL,
      lead_row bytea NOT NULL, lists text NOT NULL, held_at timestamptz NOT NULL DEFAULT clock_timestamp(), claimed_by text, claimed_at timestamptz,
      PRIMARY KEY (job_id, row_number))`);
    await db.query("INSERT INTO jobs (id, tenant_id) VALUES ($1, 't1')", [job]);
  });
  afterAll(() => db.close());

  it('removes her leads (one by an alternate), empties her held and parked rows in place, and strips her from a shared event', async () => {
    const [hers, husbands, other, theirs] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await lead(hers, 't1', 1, 'erin@x.org', '+12015550177');
    await lead(husbands, 't1', 2, 'sam@x.org', '+12015550999', { emails: [], phones: ['+12015550177'] });
    await db.query("INSERT INTO lead_alternate_keys (tenant_id, key, lead_id) VALUES ('t1', 'phone:+12015550177', $1)", [husbands]);
    await lead(other, 't1', 3, 'ann@x.org', '+12125550100');
    await lead(theirs, 't2', 4, 'erin@x.org', '+12015550177');
    // An event of two leads, pending, and one of hers alone, attempted once.
    await db.query('INSERT INTO delivery_progress (job_id, pending) VALUES ($1, 3)', [job]);
    await db.query(
      `INSERT INTO delivery_events (id, tenant_id, url, event_type, job_id, lead_count, payload) VALUES
         ('e-batch', 't1', 'http://127.0.0.1/h', 'lead.created', $1, 2, $2), ('e-one', 't1', 'http://127.0.0.1/h', 'lead.created', $1, 1, $3)`,
      [job, JSON.stringify({ jobId: job, leads: [{ id: hers, email: 'erin@x.org' }, { id: other, email: 'ann@x.org' }] }), JSON.stringify({ jobId: job, id: hers, email: 'erin@x.org' })],
    );
    await db.query("INSERT INTO delivery_attempts (event_id, attempt, tenant_id, started_at, duration_ms, http_status) VALUES ('e-one', 1, 't1', now(), 5, 500)");
    // Held for a stale list, and parked for review.
    const held = LeadRow.fromPartial({ rowNumber: 7, leadId: randomUUID(), lead: Lead.fromPartial({ email: 'erin@x.org', phone: '+12015550177' }), raw: ['Erin', '(201) 555-0177'] });
    await db.query("INSERT INTO dnc_held_rows (job_id, row_number, tenant_id, job, lead_row, lists) VALUES ($1, 7, 't1', '\\x00', $2, 'National (USA)')", [job, LeadRow.encode(held).finish()]);
    const parked = RowBatch.fromPartial({ header: ['name', 'phone'], rows: [{ rowNumber: 8, cells: ['Erin', '201.555.0177'] }, { rowNumber: 9, cells: ['Ann', '(212) 555-0100'] }] });
    await db.query('INSERT INTO parked_batches (job_id, seq, batch) VALUES ($1, 0, $2)', [job, RowBatch.encode(parked).finish()]);

    const erasure = createErasure({ db, dnc: createSqlDncRegistry(db) });
    const result = await erasure.erase('t1', 'lfk_test', ERIN);
    expect(result.removed).toMatchObject({ leads: 2, held: 1, parked: 1, deliveries: 2, deliveryAttempts: 1 });
    expect(result.suppressed).toEqual(['suppression:email', 'suppression:phone']);

    const ids = (await db.query<{ id: string }>('SELECT id FROM leads ORDER BY row_number')).rows.map((r) => r.id);
    expect(ids).toEqual([other, theirs]);
    const events = (await db.query<{ id: string; lead_count: number; payload: { leads: { id: string }[] } }>('SELECT id, lead_count, payload FROM delivery_events')).rows;
    expect(events.map((e) => [e.id, e.lead_count, e.payload.leads.map((l) => l.id)])).toEqual([['e-batch', 1, [other]]]);
    expect((await db.query<{ pending: number }>('SELECT pending FROM delivery_progress WHERE job_id = $1', [job])).rows[0]!.pending).toBe(1);
    expect((await db.query('SELECT 1 FROM delivery_attempts')).rows).toEqual([]);
    const heldNow = LeadRow.decode((await db.query<{ lead_row: Uint8Array }>('SELECT lead_row FROM dnc_held_rows')).rows[0]!.lead_row);
    expect([heldNow.rowNumber, heldNow.disposition, heldNow.lead?.email, heldNow.raw, heldNow.reasons.map((r) => r.code)]).toEqual([
      7, Disposition.DISPOSITION_SUPPRESSED, '', [], ['SUPPRESSED_EMAIL'],
    ]);
    const parkedNow = RowBatch.decode((await db.query<{ batch: Uint8Array }>('SELECT batch FROM parked_batches')).rows[0]!.batch);
    expect(parkedNow.rows.map((r) => r.cells)).toEqual([['', ''], ['Ann', '(212) 555-0100']]);
    // Logged without her: counts, the key that asked; no hash without the installation's keys.
    const log = (await db.query<{ key_prefix: string; email_hash: Buffer | null; counts: Record<string, number> }>('SELECT key_prefix, email_hash, counts FROM erasure_log')).rows;
    expect(log).toEqual([{ key_prefix: 'lfk_test', email_hash: null, counts: result.removed }]);
    expect(JSON.stringify(log)).not.toContain('erin');
  });

  it('with the installation keys, records her as keyed hashes only, never in the suppression lists, and logs which erasure', async () => {
    const keys = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'the test');
    const told: string[] = [];
    const erasure = createErasure({ db, dnc: createSqlDncRegistry(db), keyring: keys, onErased: (t) => told.push(t) });
    const before = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dnc_list_numbers')).rows[0]!.n;
    const sam = subjectOf('sam.k@x.org', '+12015550166', nationalDigits);
    const result = await erasure.erase('t3', 'lfk_test', sam);
    expect(result.suppressed).toEqual(['erased:email', 'erased:phone']);
    expect(told).toEqual(['t3']);
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dnc_list_numbers')).rows[0]!.n).toBe(before);
    const rows = (await db.query<{ tenant_id: string; kind: string; key_id: string; erasure_id: string }>('SELECT tenant_id, kind, key_id, erasure_id::text FROM erased_subjects WHERE tenant_id = $1 ORDER BY kind', ['t3'])).rows;
    expect(rows).toEqual([
      { tenant_id: 't3', kind: 'email', key_id: 'k1', erasure_id: result.id },
      { tenant_id: 't3', kind: 'phone', key_id: 'k1', erasure_id: result.id },
    ]);
    // Dated as the erasure: the day a later row's reason names is the answer's.
    const dated = await db.query<{ same: boolean }>("SELECT s.erased_at = l.erased_at AS same FROM erased_subjects s JOIN erasure_log l ON l.id = s.erasure_id WHERE s.tenant_id = 't3'");
    expect(dated.rows).toEqual([{ same: true }, { same: true }]);
    const index = await createSqlErasedSubjects(db).of('t3');
    expect(index.has(erasedEntry('email', 'k1', keys.keyedHash(ERASED_PURPOSES.email, 'sam.k@x.org').hash))).toBe(true);
    expect(index.has(erasedEntry('phone', 'k1', keys.keyedHash(ERASED_PURPOSES.phone, '+12015550166').hash))).toBe(true);
    const log = (await db.query<{ suppressed: string[] }>('SELECT suppressed FROM erasure_log WHERE id = $1', [result.id])).rows;
    expect(log).toEqual([{ suppressed: ['erased:email', 'erased:phone'] }]);
    // Erased again: the first erasure stays the one named.
    await erasure.erase('t3', 'lfk_test', sam);
    expect((await db.query('SELECT 1 FROM erased_subjects WHERE tenant_id = $1 AND erasure_id = $2', ['t3', result.id])).rows).toHaveLength(2);
  });

  it('moves the clear suppression entries of an erasure made before to keyed hashes, keeping the tenant\'s own entries', async () => {
    const keys = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'the test');
    const dnc = createSqlDncRegistry(db);
    await dnc.load(
      { kind: 'suppression:email', owner: 't5', mode: 'add', source: 'test', normalize: () => undefined },
      (async function* () { yield { name: 'own', chunks: (async function* () { yield Buffer.from('own@x.org\n'); })() }; })(),
    );
    // As an erasure did before: in clear on the lists, and logged by hashes of purpose erasure-subject.
    const old = await createErasure({ db, dnc }).erase('t5', 'lfk_test', subjectOf('kim@x.org', '+12015550155', nationalDigits));
    expect(old.suppressed).toEqual(['suppression:email', 'suppression:phone']);
    const logged = (v: string) => keys.keyedHash(ERASURE_PURPOSE, v).hash;
    await db.query("UPDATE erasure_log SET email_hash = $2, phone_hash = $3, hash_key = 'k1' WHERE id = $1", [old.id, logged('kim@x.org'), logged('+12015550155')]);
    const entries = async () =>
      (await db.query<{ v: string }>("SELECT n.phone AS v FROM dnc_lists l JOIN dnc_list_numbers n ON n.list_id = l.list_id AND n.generation = l.generation WHERE l.owner = 't5' ORDER BY 1")).rows.map((r) => r.v);
    expect(await entries()).toEqual(['+12015550155', 'kim@x.org', 'own@x.org']);

    // t1's erasure above was made without keys (no hash in its log): its entries cannot be told from t1's own.
    expect(await moveClearErasures({ db, dnc, keyring: keys })).toEqual({ moved: 2, unreadable: 1 });
    expect(await entries()).toEqual(['own@x.org']);
    const index = await createSqlErasedSubjects(db).of('t5');
    expect([...index.keys()].sort()).toEqual(
      [erasedEntry('email', 'k1', keys.keyedHash(ERASED_PURPOSES.email, 'kim@x.org').hash), erasedEntry('phone', 'k1', keys.keyedHash(ERASED_PURPOSES.phone, '+12015550155').hash)].sort(),
    );
    const { rows } = await db.query<{ erasure_id: string; same: boolean }>(
      "SELECT s.erasure_id::text, s.erased_at = l.erased_at AS same FROM erased_subjects s JOIN erasure_log l ON l.id = s.erasure_id WHERE s.tenant_id = 't5'",
    );
    expect(rows).toEqual([{ erasure_id: old.id, same: true }, { erasure_id: old.id, same: true }]);
    // Done once: the next start finds nothing to move.
    expect(await moveClearErasures({ db, dnc, keyring: keys })).toEqual({ moved: 0, unreadable: 1 });
  });
});
