import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, newKeyEntry, parseSecretKeys } from '@leadflow/secrets';
import { createPglite, migrate, type SqlClient } from '@leadflow/stores';
import { createEndpointAdmin, createSqlEndpointStore, endpointSecretContext, migrations, type EndpointSettings } from './index.js';

const keyring = createKeyring(parseSecretKeys(newKeyEntry('k1')), 'LEADFLOW_SECRET_KEYS');
const settings: EndpointSettings = {
  url: 'https://hooks.example.com/in', mode: 'record', batchSize: 500, perSecond: 0, events: ['lead.created'], headers: {}, description: '', enabled: true,
};

describe("delivery's endpoint admin", () => {
  let db: SqlClient;
  let admin: ReturnType<typeof createEndpointAdmin>;
  beforeAll(async () => {
    db = await createPglite();
    await migrate(db, migrations);
    admin = createEndpointAdmin(db, keyring);
  });
  afterAll(() => db.close());

  it("makes endpoints that delivery's own store opens and sends to, and stops sending once disabled or deleted", async () => {
    const { endpoint, secret } = await admin.create('t-store', settings);
    const store = createSqlEndpointStore(db, keyring);
    expect(await store.endpointsOf('t-store')).toEqual([{ url: settings.url, secret }]);
    await admin.update('t-store', endpoint.id, { enabled: false });
    expect(await store.endpointsOf('t-store')).toEqual([]);
    await admin.update('t-store', endpoint.id, { enabled: true });
    expect(await admin.remove('t-store', endpoint.id)).toBe(true);
    expect(await store.endpointsOf('t-store')).toEqual([]);
    expect(await admin.list('t-store')).toEqual([]);
  });

  it('keeps the secret of the last rotation as the previous one, sealed for the endpoint', async () => {
    const { endpoint, secret } = await admin.create('t-rot', settings);
    const first = (await admin.rotate('t-rot', endpoint.id))!;
    const second = (await admin.rotate('t-rot', endpoint.id))!;
    expect([first.previousSecret, second.previousSecret]).toEqual([secret, first.secret]);
    expect(await admin.secrets('t-rot', endpoint.id)).toEqual({ id: endpoint.id, secret: second.secret, previousSecret: first.secret, previousSecretExpiresAt: second.previousSecretExpiresAt });
    // An expired previous secret is shown as none.
    await db.query("UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1", [endpoint.id]);
    expect(await admin.secrets('t-rot', endpoint.id)).toMatchObject({ previousSecret: null, previousSecretExpiresAt: null });
    expect((await admin.get('t-rot', endpoint.id))!.previousSecretExpiresAt).toBeNull();
    expect(await admin.rotate('t-other', endpoint.id)).toBeUndefined();
    const sealed = (await db.query<{ secret_sealed: string }>('SELECT secret_sealed FROM webhook_endpoints WHERE id = $1', [endpoint.id])).rows[0]!.secret_sealed;
    expect(keyring.open(sealed, endpointSecretContext(endpoint.id))).toBe(second.secret);
  });

  it('seals a plain-text secret from before sealing as it rotates it', async () => {
    const { endpoint } = await admin.create('t-plain', settings);
    await db.query("UPDATE webhook_endpoints SET secret = 'old-plain', secret_sealed = NULL WHERE id = $1", [endpoint.id]);
    const rotated = (await admin.rotate('t-plain', endpoint.id))!;
    expect(rotated.previousSecret).toBe('old-plain');
    expect((await db.query('SELECT secret FROM webhook_endpoints WHERE id = $1', [endpoint.id])).rows).toEqual([{ secret: null }]);
  });

  it('replays only ended events of the endpoint in the time range, leaving pending and cancelled ones', async () => {
    const { endpoint } = await admin.create('t-replay', settings);
    const job = 'job-replay';
    const rows: [string, string, string][] = [
      ['msg_r_old', 'failed', '2026-01-01T00:00:00Z'],
      ['msg_r_new', 'failed', '2026-02-01T00:00:00Z'],
      ['msg_r_pending', 'pending', '2026-02-01T00:00:00Z'],
      ['msg_r_cancelled', 'cancelled', '2026-02-01T00:00:00Z'],
    ];
    for (const [id, status, at] of rows) {
      await db.query(
        `INSERT INTO delivery_events (id, tenant_id, endpoint_id, url, event_type, job_id, lead_count, payload, status, attempts, created_at, next_attempt_at)
         VALUES ($1, 't-replay', $2, $3, 'lead.created', $4, 2, '{}', $5, 4, $6, now() + interval '1 day')`,
        [id, endpoint.id, settings.url, job, status, at],
      );
    }
    await db.query('INSERT INTO delivery_progress (job_id, failed, pending) VALUES ($1, 4, 2)', [job]);
    expect(await admin.replay('t-replay', endpoint.id, { from: new Date('2026-01-15T00:00:00Z'), to: new Date('2026-03-01T00:00:00Z') })).toEqual({ events: 1, leads: 2 });
    const status = Object.fromEntries(
      (await db.query<{ id: string; status: string }>('SELECT id, status FROM delivery_events WHERE job_id = $1', [job])).rows.map((r) => [r.id, r.status]),
    );
    expect(status).toEqual({ msg_r_old: 'failed', msg_r_new: 'pending', msg_r_pending: 'pending', msg_r_cancelled: 'cancelled' });
    expect((await db.query('SELECT failed, pending FROM delivery_progress WHERE job_id = $1', [job])).rows).toEqual([{ failed: 2, pending: 4 }]);
    expect(await admin.replay('t-other', endpoint.id, {})).toBeUndefined();
  });

  it("sets a job's rate only for its own tenant, and measures none without attempts", async () => {
    expect(await admin.setJobRate('t-rate', 'job-rate', 30)).toEqual({ previous: null, perSecond: 30 });
    expect(await admin.setJobRate('t-rate', 'job-rate', 0)).toEqual({ previous: 30, perSecond: 0 });
    expect(await admin.jobRate('t-rate', 'job-rate')).toEqual({ perSecond: 0, current: 0 });
    expect(await admin.jobRate('t-else', 'job-rate')).toEqual({ perSecond: null, current: 0 });
  });
});
