import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DncExemption } from '@leadflow/proto';
import { createSqlDncExemptions } from '@leadflow/stores';
import { bearer } from '@leadflow/testkit';
import { createConcurrencyLimit } from './concurrency-limit.js';
import { startRouteHarness, type RouteHarness, type TenantKey } from './route-harness.test-support.js';

describe('the Do-Not-Call exemption routes and RPCs', () => {
  let h: RouteHarness<TenantKey>;

  beforeAll(async () => {
    h = await startRouteHarness({
      limits: createConcurrencyLimit({ uploads: 2, streams: 2 }),
      service: (sdb) => ({ dncExemptions: createSqlDncExemptions(sdb), watchIntervalMs: 20 }),
    });
  });
  afterAll(async () => h?.close());

  const post = (k: string, payload: unknown) => h.app.inject({ method: 'POST', url: '/v1/dnc/exemptions', headers: bearer(k), payload: payload as object });
  const find = (k: string, q: string) => h.app.inject({ method: 'GET', url: `/v1/dnc/exemptions?${q}`, headers: bearer(k) });

  it('records an exemption with its evidence (201), finds it by phone or email, revokes it, and keeps each tenant to its own', async () => {
    const made = await post(h.key.admin, { phone: '(201) 555-0101', kind: 'ebr_purchase', date: '2026-05-01', evidence: { url: 'https://shop.example/order/7', text: 'order 7' } });
    expect(made.statusCode).toBe(201);
    const e = made.json();
    expect(e).toMatchObject({ phone: '+12015550101', email: '', kind: 'ebr_purchase', date: '2026-05-01', until: '2027-11-01', evidence: { url: 'https://shop.example/order/7', text: 'order 7' }, revokedAt: '' });
    const byEmail = await post(h.key.admin, { email: 'Ann@X.org', kind: 'consent', date: '2026-01-02', evidence: { text: 'I agree to be called' } });
    expect(byEmail.json()).toMatchObject({ email: 'ann@x.org', until: '' });

    expect((await find(h.key.viewer, 'phone=2015550101')).json().exemptions.map((x: { id: string }) => x.id)).toEqual([e.id]);
    expect((await find(h.key.viewer, 'email=ann%40x.org')).json().exemptions).toHaveLength(1);
    expect((await find(h.key.otherAdmin, 'phone=2015550101')).json().exemptions).toEqual([]);
    const foreign = await h.app.inject({ method: 'DELETE', url: `/v1/dnc/exemptions/${e.id}`, headers: bearer(h.key.otherAdmin) });
    expect([foreign.statusCode, foreign.json().code]).toEqual([404, 'DNC_EXEMPTION_NOT_FOUND']);
    const viewer = await h.app.inject({ method: 'DELETE', url: `/v1/dnc/exemptions/${e.id}`, headers: bearer(h.key.viewer) });
    expect([viewer.statusCode, viewer.json().code]).toEqual([403, 'FORBIDDEN']);
    const revoked = await h.app.inject({ method: 'DELETE', url: `/v1/dnc/exemptions/${e.id}`, headers: bearer(h.key.admin) });
    expect([revoked.statusCode, revoked.json()]).toEqual([200, { id: e.id, revoked: true }]);
    expect((await find(h.key.viewer, 'phone=%2B12015550101')).json().exemptions[0].revokedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const again = await h.app.inject({ method: 'DELETE', url: `/v1/dnc/exemptions/${e.id}`, headers: bearer(h.key.admin) });
    expect(again.statusCode).toBe(404);
  });

  it.each([
    ['neither phone nor email', { kind: 'consent', date: '2026-01-01' }, /give the phone or the email/],
    ['both', { phone: '2015550101', email: 'a@x.org', kind: 'consent', date: '2026-01-01' }, /not both/],
    ['a bad phone', { phone: 'call me', kind: 'consent', date: '2026-01-01' }, /not a valid number/],
    ['an unknown kind', { phone: '2015550101', kind: 'friendship', date: '2026-01-01' }, /"kind": "ebr_purchase"/],
    ['a date to come', { phone: '2015550101', kind: 'consent', date: '2999-01-01' }, /not to come/],
    ['no real day', { phone: '2015550101', kind: 'consent', date: '2026-02-30' }, /YYYY-MM-DD/],
    ['an evidence URL that is none', { phone: '2015550101', kind: 'consent', date: '2026-01-01', evidence: { url: 'javascript:alert(1)' } }, /http\(s\) URL/],
  ])('refuses %s with 400 INVALID_DNC_EXEMPTION', async (_what, body, message) => {
    const res = await post(h.key.admin, body);
    expect([res.statusCode, res.json().code]).toEqual([400, 'INVALID_DNC_EXEMPTION']);
    expect(res.json().message).toMatch(message);
  });

  it('does the same over gRPC: AddDncExemption, ListDncExemptions, RevokeDncExemption, and their error codes', async () => {
    const md = (k: string) => {
      const m = new Metadata();
      m.set('authorization', `Bearer ${k}`);
      return m;
    };
    const call = <T>(run: (done: (err: ServiceError | null, res?: T) => void) => void) =>
      new Promise<{ res?: T; err?: ServiceError }>((resolve) => run((err, res) => resolve({ res: res ?? undefined, err: err ?? undefined })));
    const added = await call<DncExemption>((done) =>
      h.client.addDncExemption({ phone: '3125550301', email: '', kind: 'ebr_inquiry', date: '2026-11-30', evidence: { url: '', text: 'asked for a quote' } }, md(h.key.otherAdmin), done),
    );
    expect(added.res).toMatchObject({ phone: '+13125550301', kind: 'ebr_inquiry', until: '2027-02-28', evidence: { text: 'asked for a quote' } });
    const listed = await call<{ exemptions: DncExemption[] }>((done) => h.client.listDncExemptions({ phone: '+13125550301', email: '' }, md(h.key.otherAdmin), done));
    expect(listed.res!.exemptions.map((x) => x.id)).toEqual([added.res!.id]);
    const foreign = await call((done) => h.client.revokeDncExemption({ id: added.res!.id }, md(h.key.admin), done));
    expect([foreign.err?.code, foreign.err?.metadata.get('leadflow-error-code')[0]]).toEqual([5, 'DNC_EXEMPTION_NOT_FOUND']);
    const revoked = await call((done) => h.client.revokeDncExemption({ id: added.res!.id }, md(h.key.otherAdmin), done));
    expect(revoked.res).toEqual({ id: added.res!.id, revoked: true });
    const bad = await call((done) => h.client.addDncExemption({ phone: '', email: '', kind: 'consent', date: '2026-01-01', evidence: undefined }, md(h.key.otherAdmin), done));
    expect([bad.err?.code, bad.err?.metadata.get('leadflow-error-code')[0]]).toEqual([3, 'INVALID_DNC_EXEMPTION']);
  });
});
