import type { ServiceError } from '@grpc/grpc-js';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlSynonymStore, migrations as mappingMigrations, templateCsv } from '@leadflow/mapping';
import {
  type GetTemplateResponse, type ListSynonymBackupsResponse, type SynonymBackup, type TenantSynonyms,
} from '@leadflow/proto';
import { rpc, startRouteHarness, type RouteHarness } from './route-harness.test-support.js';

describe('the template and the header synonyms, over REST and gRPC', () => {
  let h: RouteHarness<'acme' | 'globex'>;
  const changed: string[] = [];
  const as = (who: 'acme' | 'globex') => (o: InjectOptions) => h.as(who)(o);

  beforeAll(async () => {
    h = await startRouteHarness({
      keys: { acme: { tenant: 'acme', role: 'admin' }, globex: { tenant: 'globex', role: 'admin' } },
      migrations: [mappingMigrations],
      grpcKey: 'acme',
      service: (sdb) => ({ mapping: { synonyms: createSqlSynonymStore(sdb), onSynonymsChanged: (tenantId) => void changed.push(tenantId) } }),
    });
  });
  afterAll(async () => h?.close());

  it('sends the template as a CSV download, byte for byte the same on gRPC', async () => {
    const res = await as('acme')({ method: 'GET', url: '/v1/template.csv' });
    expect([res.statusCode, res.headers['content-type'], res.headers['content-disposition']]).toEqual([
      200, 'text/csv; charset=utf-8', 'attachment; filename="leadflow-template.csv"',
    ]);
    expect(res.rawPayload.equals(templateCsv())).toBe(true);
    expect([...res.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const viaGrpc = await rpc<GetTemplateResponse>((done) => h.client.getTemplate({}, done));
    expect(Buffer.from(viaGrpc.csv).equals(res.rawPayload)).toBe(true);
    expect([viaGrpc.fileName, viaGrpc.headers[0], viaGrpc.headers.at(-1)]).toEqual(['leadflow-template.csv', 'first_name', 'consent_certificate_url']);
  });

  it("answers a tenant's own synonyms beside the built-in ones, none at version 0 before the first change", async () => {
    const res = await as('acme')({ method: 'GET', url: '/v1/mapping/synonyms' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect([body.synonyms, body.version, body.updatedAt]).toEqual([{}, 0, null]);
    expect(body.builtIn.phone).toContain('telefon');
  });

  it('replaces the synonyms, one version up, for the calling tenant only, and tells the mapping stage', async () => {
    changed.length = 0;
    const put = await as('acme')({ method: 'PUT', url: '/v1/mapping/synonyms', payload: { synonyms: { source: ['Herkunft'], industry: ['Sparte'] } } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ synonyms: { industry: ['Sparte'], source: ['Herkunft'] }, version: 1, updatedAt: expect.any(String) });
    expect((await as('acme')({ method: 'GET', url: '/v1/mapping/synonyms' })).json()).toMatchObject({ synonyms: { source: ['Herkunft'] }, version: 1 });
    expect((await as('globex')({ method: 'GET', url: '/v1/mapping/synonyms' })).json()).toMatchObject({ synonyms: {}, version: 0 });
    expect(changed).toEqual(['acme']);
  });

  it.each([
    ['an unknown field', { emial: ['Kontaktmail'] }, '"emial" is not a lead field: use one of first_name'],
    ['an empty synonym', { source: ['Herkunft', ''] }, 'synonyms.source[1] is empty'],
    ['a synonym given twice', { source: ['Herkunft', 'HERKUNFT'] }, 'synonyms.source[1] "HERKUNFT" repeats synonyms.source[0] "Herkunft"'],
    ['a synonym claimed by two fields', { source: ['Kanal'], industry: ['kanal'] }, 'synonyms.source[0] "Kanal" is claimed by two fields, industry (synonyms.industry[0]) and source'],
    ['a built-in synonym of another field', { company: ['Telefon'] }, 'synonyms.company[0] "Telefon" is claimed by two fields: it is a built-in synonym of phone'],
  ])('refuses %s with 400 INVALID_SYNONYMS naming the entry, and changes nothing', async (_what, synonyms, message) => {
    const res = await as('acme')({ method: 'PUT', url: '/v1/mapping/synonyms', payload: { synonyms } });
    expect([res.statusCode, res.json().code]).toEqual([400, 'INVALID_SYNONYMS']);
    expect(res.json().message).toContain(message);
    expect((await as('acme')({ method: 'GET', url: '/v1/mapping/synonyms' })).json()).toMatchObject({ synonyms: { source: ['Herkunft'] }, version: 1 });
  });

  it('refuses a body without synonyms before any work, with the body to send', async () => {
    const res = await as('acme')({ method: 'PUT', url: '/v1/mapping/synonyms', payload: { source: ['Herkunft'] } });
    expect([res.statusCode, res.json().code]).toEqual([400, 'INVALID_SYNONYMS']);
    expect(res.json().message).toContain('send {"synonyms": {"<lead field>": ["<header>", ...]}}');
  });

  it('backs up, changes, and restores the synonyms as they were, one version further on', async () => {
    const backup = await as('acme')({ method: 'POST', url: '/v1/mapping/synonyms/backups' });
    expect(backup.statusCode).toBe(201);
    const { id } = backup.json();
    expect(backup.json()).toEqual({ id, createdAt: expect.any(String), version: 1, synonyms: { industry: ['Sparte'], source: ['Herkunft'] } });
    const before = (await as('acme')({ method: 'GET', url: '/v1/mapping/synonyms' })).json();

    await as('acme')({ method: 'PUT', url: '/v1/mapping/synonyms', payload: { synonyms: { source: ['Quelle des Leads'] } } });
    expect((await as('acme')({ method: 'GET', url: '/v1/mapping/synonyms/backups' })).json().backups.map((b: { id: string }) => b.id)).toEqual([id]);
    const restored = await as('acme')({ method: 'POST', url: `/v1/mapping/synonyms/backups/${id}/restore` });
    expect(restored.statusCode).toBe(200);
    expect(restored.json()).toEqual({ ...before, version: 3, updatedAt: expect.any(String) });
    expect((await as('acme')({ method: 'GET', url: '/v1/mapping/synonyms' })).json().synonyms).toEqual(before.synonyms);
  });

  it("answers 404 SYNONYM_BACKUP_NOT_FOUND for another tenant's backup, as for one that never was", async () => {
    const { id } = (await as('acme')({ method: 'POST', url: '/v1/mapping/synonyms/backups' })).json();
    for (const url of [`/v1/mapping/synonyms/backups/${id}/restore`, '/v1/mapping/synonyms/backups/00000000-0000-4000-8000-000000000000/restore', '/v1/mapping/synonyms/backups/nope/restore']) {
      const res = await as('globex')({ method: 'POST', url });
      expect([res.statusCode, res.json().code], url).toEqual([404, 'SYNONYM_BACKUP_NOT_FOUND']);
    }
    expect((await as('globex')({ method: 'GET', url: '/v1/mapping/synonyms/backups' })).json()).toEqual({ backups: [] });
  });

  it('does the same over gRPC: set, refuse naming the entry, back up, list, restore', async () => {
    const set = await rpc<TenantSynonyms>((done) =>
      h.client.setSynonyms({ synonyms: { source: { headers: ['Herkunft'] }, industry: { headers: [] } } }, done),
    );
    expect(set.synonyms).toEqual({ source: { headers: ['Herkunft'] } });
    const refused = await rpc((done) => h.client.setSynonyms({ synonyms: { emial: { headers: ['x'] } } }, done)).catch((err: ServiceError) => err);
    expect([(refused as ServiceError).code, (refused as ServiceError).details]).toEqual([3, expect.stringMatching(/^INVALID_SYNONYMS: "emial" is not a lead field/)]);
    const backup = await rpc<SynonymBackup>((done) => h.client.backupSynonyms({}, done));
    expect(backup.version).toBe(set.version);
    await rpc((done) => h.client.setSynonyms({ synonyms: {} }, done));
    const listed = await rpc<ListSynonymBackupsResponse>((done) => h.client.listSynonymBackups({}, done));
    expect(listed.backups[0]!.id).toBe(backup.id);
    const restored = await rpc<TenantSynonyms>((done) =>
      h.client.restoreSynonyms({ id: backup.id }, done),
    );
    expect([restored.synonyms, restored.version]).toEqual([{ source: { headers: ['Herkunft'] } }, set.version + 2]);
    expect(restored.builtIn.email!.headers).toContain('email address');
    const missing = await rpc((done) => h.client.restoreSynonyms({ id: 'nope' }, done)).catch((err: ServiceError) => err);
    expect([(missing as ServiceError).code, (missing as ServiceError).details]).toEqual([5, expect.stringMatching(/^SYNONYM_BACKUP_NOT_FOUND: /)]);
  });
});
