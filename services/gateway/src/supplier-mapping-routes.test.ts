import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS, createMappingStage, createSqlMappingStore, createSqlSupplierMappingStore, migrations as mappingMigrations } from '@leadflow/mapping';
import { isFanout } from '@leadflow/pipeline';
import { JobRef, type SupplierMapping } from '@leadflow/proto';
import { createSqlSupplierStore } from './index.js';
import { rpc, startRouteHarness, type RouteHarness, type TenantKey } from './route-harness.test-support.js';

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

describe("a supplier's confirmed mapping, over REST and gRPC", () => {
  let h: RouteHarness<TenantKey>;
  const as = (who: TenantKey) => (o: InjectOptions) => h.as(who)(o);
  const supplier = async (name: string) => {
    const res = await as('admin')({ method: 'POST', url: '/v1/suppliers', payload: { name } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; name: string };
  };
  const put = (id: string, mapping: unknown, who: TenantKey = 'admin') => as(who)({ method: 'PUT', url: `/v1/suppliers/${id}/mapping`, payload: { mapping } });

  beforeAll(async () => {
    h = await startRouteHarness({
      migrations: [mappingMigrations],
      grpcKey: 'admin',
      service: (db) => ({ suppliers: createSqlSupplierStore(db), supplierMappings: createSqlSupplierMappingStore(db) }),
    });
  });
  afterAll(async () => h?.close());

  it('answers none at first, then the headers PUT, as written, each with when and how it was learned', async () => {
    const zenith = await supplier('Zenith Data');
    const empty = await as('viewer')({ method: 'GET', url: `/v1/suppliers/${zenith.id}/mapping` });
    expect([empty.statusCode, empty.json()]).toEqual([200, { supplierId: zenith.id, supplier: 'Zenith Data', mapping: [] }]);

    const set = await put(zenith.id, [{ header: ' E-Mail Kunde ', field: 'email' }, { header: 'Ref', field: 'source' }, { header: 'Fax', field: 'extra' }]);
    expect(set.statusCode, set.body).toBe(200);
    const shown = (await as('viewer')({ method: 'GET', url: `/v1/suppliers/${zenith.id}/mapping` })).json();
    expect(shown).toEqual(set.json());
    expect(shown).toEqual({
      supplierId: zenith.id,
      supplier: 'Zenith Data',
      mapping: [
        { header: 'E-Mail Kunde', field: 'email', learnedAt: ISO, learnedBy: 'api', jobId: null },
        { header: 'Fax', field: 'extra', learnedAt: ISO, learnedBy: 'api', jobId: null },
        { header: 'Ref', field: 'source', learnedAt: ISO, learnedBy: 'api', jobId: null },
      ],
    });
  });

  it('replaces the whole mapping, takes its own GET answer back as it is, and forgets it with []', async () => {
    const s = await supplier('Replace Co');
    await put(s.id, [{ header: 'Ref', field: 'source' }, { header: 'Fax', field: 'extra' }]);
    const replaced = await put(s.id, [{ header: 'Sparte', field: 'industry' }]);
    expect(replaced.json().mapping.map((e: { header: string; field: string }) => [e.header, e.field])).toEqual([['Sparte', 'industry']]);
    const again = await put(s.id, replaced.json().mapping);
    expect([again.statusCode, again.json().mapping.map((e: { header: string }) => e.header)]).toEqual([200, ['Sparte']]);
    const cleared = await put(s.id, []);
    expect([cleared.statusCode, cleared.json().mapping]).toEqual([200, []]);
  });

  it('refuses a bad mapping whole with 400 INVALID_SUPPLIER_MAPPING naming the entry, and keeps the mapping it had', async () => {
    const s = await supplier('Strict Lists');
    await put(s.id, [{ header: 'Ref', field: 'source' }]);
    const refusals: [unknown, RegExp][] = [
      [[{ header: 'Ref', field: 'source' }, { header: 'Mail', field: 'emial' }], /^mapping\[1\]\.field "emial" is not a lead field: use one of first_name, .*, extra; send/],
      [[{ header: 'Mail' }], /^mapping\[0\]\.field is missing: use one of/],
      [[{ header: '  ', field: 'email' }], /^mapping\[0\]\.header is empty: a header has at least one letter or digit/],
      [[{ header: 42, field: 'email' }], /^mapping\[0\]\.header must be the header as text/],
      [['Ref=source'], /^mapping\[0\] must be \{"header": "\.\.\.", "field": "\.\.\."\}/],
      [[{ header: 'E-Mail', field: 'email' }, { header: 'e mail', field: 'phone' }], /^mapping\[1\]\.header "e mail" repeats mapping\[0\]\.header "E-Mail": headers compare without case/],
      [[{ header: 'Ref', field: 'source', confidence: 1 }], /^mapping\[0\] takes header and field, not "confidence"/],
      [[{ header: 'x'.repeat(201), field: 'source' }], /^mapping\[0\]\.header "x{60}"\.\.\. is longer than 200 characters/],
      // The route's schema refuses what is no list, with the body to send.
      [{ Ref: 'source' }, /^the supplier mapping is not valid: .*send \{"mapping": \[\{"header": "<header>", "field": "<lead field or extra>"\}, \.\.\.\]\}/],
    ];
    for (const [mapping, message] of refusals) {
      const res = await put(s.id, mapping);
      expect([res.statusCode, res.json().code], JSON.stringify(mapping)).toEqual([400, 'INVALID_SUPPLIER_MAPPING']);
      expect(res.json().message).toMatch(message);
    }
    const noBody = await as('admin')({ method: 'PUT', url: `/v1/suppliers/${s.id}/mapping`, payload: {} });
    expect([noBody.statusCode, noBody.json().code]).toEqual([400, 'INVALID_SUPPLIER_MAPPING']);
    const kept = (await as('admin')({ method: 'GET', url: `/v1/suppliers/${s.id}/mapping` })).json();
    expect(kept.mapping.map((e: { header: string; field: string }) => [e.header, e.field])).toEqual([['Ref', 'source']]);
    // Every lead field and extra is accepted.
    const all = await put(s.id, [...CANONICAL_FIELDS, 'extra'].map((field) => ({ header: `col ${field}`, field })));
    expect([all.statusCode, all.json().mapping.length]).toEqual([200, CANONICAL_FIELDS.length + 1]);
  });

  it("lets a viewer read and only an admin replace; another tenant's supplier is not found, as one that never was", async () => {
    const s = await supplier('Guarded Leads');
    await put(s.id, [{ header: 'Ref', field: 'source' }]);
    const byViewer = await put(s.id, [], 'viewer');
    expect([byViewer.statusCode, byViewer.json().code]).toEqual([403, 'FORBIDDEN']);
    for (const res of [
      await as('otherAdmin')({ method: 'GET', url: `/v1/suppliers/${s.id}/mapping` }),
      await put(s.id, [], 'otherAdmin'),
      await as('admin')({ method: 'GET', url: '/v1/suppliers/4b0c3a57-0000-4000-8000-000000000000/mapping' }),
    ]) {
      expect([res.statusCode, res.json().code]).toEqual([404, 'SUPPLIER_NOT_FOUND']);
      expect(res.body).not.toContain('Guarded');
    }
    expect((await as('admin')({ method: 'GET', url: `/v1/suppliers/${s.id}/mapping` })).json().mapping).toHaveLength(1);
  });

  it('shows what a review and leadflow map --confirm learned, with the job of the review', async () => {
    const s = await supplier('Reviewed Co');
    const store = createSqlMappingStore(h.db);
    await store.confirm('acme', 'Reviewed Co', [{ header: 'Kontakt', field: 'email' }], { by: 'review', jobId: 'job-1' });
    await store.confirm('acme', 'Reviewed Co', [{ header: 'Tel.', field: 'phone' }], { by: 'map_command' });
    const shown = (await as('viewer')({ method: 'GET', url: `/v1/suppliers/${s.id}/mapping` })).json();
    expect(shown.mapping).toEqual([
      { header: 'Kontakt', field: 'email', learnedAt: ISO, learnedBy: 'review', jobId: 'job-1' },
      { header: 'Tel.', field: 'phone', learnedAt: ISO, learnedBy: 'map_command', jobId: null },
    ]);
  });

  it('keeps the mapping with its supplier when the supplier is renamed', async () => {
    const s = await supplier('Old Name Ltd');
    await put(s.id, [{ header: 'Ref', field: 'source' }]);
    const renamed = await as('admin')({ method: 'PATCH', url: `/v1/suppliers/${s.id}`, payload: { name: 'New Name Ltd' } });
    expect(renamed.statusCode).toBe(200);
    const shown = (await as('admin')({ method: 'GET', url: `/v1/suppliers/${s.id}/mapping` })).json();
    expect([shown.supplier, shown.mapping.map((e: { header: string }) => e.header)]).toEqual(['New Name Ltd', ['Ref']]);
    // An upload still naming the old name makes a new supplier, with no mapping of the old one's.
    expect(await createSqlMappingStore(h.db).confirmed('acme', 'Old Name Ltd')).toEqual(new Map());
  });

  it("maps the supplier's next file by the mapping PUT, where its headers would otherwise map differently", async () => {
    const s = await supplier('Fax Sender');
    const stage = createMappingStage({ store: createSqlMappingStore(h.db) });
    const job = (jobId: string) => JobRef.fromPartial({ jobId, tenantId: 'acme', supplier: 'Fax Sender', fileName: 'f.csv' });
    const mapped = async (jobId: string) => {
      const out = await stage({
        job: job(jobId), seq: 0, header: ['Email', 'Phone', 'Ref'], rows: [{ rowNumber: 1, cells: ['ann@x.com', '(201) 555-0123', 'Messe'] }],
        last: true, totalRows: 1, failure: undefined, decision: undefined,
      });
      if (isFanout(out)) throw new Error('expected one batch');
      return { fields: out.mapping.map((m) => [m.header, m.field]), lead: out.rows[0]!.lead! };
    };
    expect((await mapped('before')).fields).toEqual([['Email', 'email'], ['Phone', 'phone'], ['Ref', 'extra']]);
    await put(s.id, [{ header: 'phone', field: 'extra' }, { header: 'REF', field: 'source' }]);
    const after = await mapped('after');
    expect(after.fields).toEqual([['Email', 'email'], ['Phone', 'extra'], ['Ref', 'source']]);
    expect([after.lead.phone, after.lead.source, after.lead.extra]).toEqual(['', 'Messe', { Phone: '(201) 555-0123' }]);
  });

  it('answers the same over gRPC: GetSupplierMapping, SetSupplierMapping, INVALID_ARGUMENT and NOT_FOUND', async () => {
    const s = await supplier('Grpc Lists');
    const set = await rpc<SupplierMapping>((done) =>
      h.client.setSupplierMapping({ id: s.id, mapping: [{ header: 'Ref', field: 'source', learnedAt: 'ignored', learnedBy: 'ignored', jobId: '' }] }, done),
    );
    expect(set).toEqual({ supplierId: s.id, supplier: 'Grpc Lists', mapping: [{ header: 'Ref', field: 'source', learnedAt: ISO, learnedBy: 'api', jobId: '' }] });
    expect(await rpc<SupplierMapping>((done) => h.client.getSupplierMapping({ id: s.id }, done))).toEqual(set);
    const bad = await rpc((done) => h.client.setSupplierMapping({ id: s.id, mapping: [{ header: 'Ref', field: 'sauce', learnedAt: '', learnedBy: '', jobId: '' }] }, done)).catch((e: ServiceError) => e);
    expect([(bad as ServiceError).code, (bad as ServiceError).details]).toEqual([GrpcStatus.INVALID_ARGUMENT, expect.stringMatching(/^INVALID_SUPPLIER_MAPPING: mapping\[0\]\.field "sauce" is not a lead field/)]);
    const other = h.clientAs('otherAdmin');
    const missing = await rpc((done) => other.getSupplierMapping({ id: s.id }, done)).catch((e: ServiceError) => e);
    expect((missing as ServiceError).code).toBe(GrpcStatus.NOT_FOUND);
  });
});
