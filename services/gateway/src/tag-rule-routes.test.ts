import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrichmentStage, createSqlTagRules } from '@leadflow/enrichment';
import { emptyLead } from '@leadflow/pipeline';
import { Disposition, type LeadBatch, type TagRules } from '@leadflow/proto';
import { rpc, startRouteHarness, type RouteHarness, type TenantKey } from './route-harness.test-support.js';
import { createSqlTagRuleStore } from './tag-rule-settings.js';

const ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

const HOT = { tag: 'hot', when: { all: [{ field: 'email_type', equals: 'business' }, { field: 'job_title', contains: 'sales' }] } };

function batch(tenantId: string, email: string, jobTitle: string): LeadBatch {
  return {
    job: { jobId: 'j', tenantId, supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
    seq: 0, header: [], mapping: [], last: true, totalRows: 1, failure: undefined,
    rows: [{
      rowNumber: 1, lead: { ...emptyLead(), email, jobTitle }, disposition: Disposition.DISPOSITION_ACCEPTED,
      reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [], leadId: 'lead-1',
    }],
  };
}

describe("a tenant's tag rules, over REST and gRPC", () => {
  let h: RouteHarness<TenantKey>;
  const changed: string[] = [];
  const as = (who: TenantKey) => (o: InjectOptions) => h.as(who)(o);
  const put = (payload: unknown, who: TenantKey = 'admin') => as(who)({ method: 'PUT', url: '/v1/tags/rules', payload: payload as object });

  beforeAll(async () => {
    h = await startRouteHarness({
      grpcKey: 'admin',
      service: (db) => ({ tagRules: { store: createSqlTagRuleStore(db), onChanged: (t) => void changed.push(t) } }),
    });
  });
  afterAll(async () => h?.close());

  it('answers none at first, then the rules PUT, which the enrichment stage applies to the tenant\'s leads', async () => {
    expect((await as('viewer')({ method: 'GET', url: '/v1/tags/rules' })).json()).toEqual({ rules: [], updatedAt: null });
    const res = await put({ rules: [HOT] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ rules: [HOT], updatedAt: ISO });
    expect(changed).toEqual(['acme']);
    expect((await as('viewer')({ method: 'GET', url: '/v1/tags/rules' })).json()).toEqual({ rules: [HOT], updatedAt: ISO });
    // Another tenant has its own (none).
    expect((await as('otherAdmin')({ method: 'GET', url: '/v1/tags/rules' })).json()).toEqual({ rules: [], updatedAt: null });

    // The stage reads them from the same table, for the batch's tenant only.
    const stage = createEnrichmentStage({ tagRules: createSqlTagRules(h.db) });
    const ours = await stage(batch('acme', 'ann@acme-corp.com', 'Sales Manager'));
    const theirs = await stage(batch('globex', 'ann@acme-corp.com', 'Sales Manager'));
    expect(ours.rows[0]!.tags).toEqual(['email:business', 'seniority:manager', 'department:sales', 'hot']);
    expect(theirs.rows[0]!.tags).toEqual(['email:business', 'seniority:manager', 'department:sales']);
  });

  it('refuses a bad rule with INVALID_TAG_RULES naming the part, and keeps the rules in force', async () => {
    await put({ rules: [HOT] });
    const bad = await put({ rules: [HOT, { tag: 'x', when: { any: [{ field: 'state', equals: 'TX' }, { field: 'state', matches: 'T.*' }] } }] });
    expect([bad.statusCode, bad.json()]).toEqual([400, { code: 'INVALID_TAG_RULES', message: expect.stringMatching(/^rules\[1\]\.when\.any\[1\]\.matches: is not an operator/) }]);
    const noRules = await put({ tags: [] });
    expect([noRules.statusCode, noRules.json().code]).toEqual([400, 'INVALID_TAG_RULES']);
    const builtIn = await put({ rules: [{ tag: 'email:vip', when: { field: 'email', exists: true } }] });
    expect(builtIn.json().message).toMatch(/^rules\[0\]\.tag: "email:vip" is a tag the enrichment stage sets itself/);
    expect((await as('viewer')({ method: 'GET', url: '/v1/tags/rules' })).json().rules).toEqual([HOT]);
    const viewer = await put({ rules: [] }, 'viewer');
    expect([viewer.statusCode, viewer.json().code]).toEqual([403, 'FORBIDDEN']);
  });

  it('reads and replaces the same rules over gRPC, each condition as JSON text', async () => {
    await put({ rules: [HOT] });
    expect(await rpc<TagRules>((done) => h.client.getTagRules({}, done))).toEqual({ rules: [{ tag: 'hot', when: JSON.stringify(HOT.when) }], updatedAt: ISO });
    const set = await rpc<TagRules>((done) => h.client.setTagRules({ rules: [{ tag: 'vip', when: '{"field": "quality", ">=": 80}' }] }, done));
    expect(set.rules).toEqual([{ tag: 'vip', when: '{"field":"quality",">=":80}' }]);
    expect((await as('viewer')({ method: 'GET', url: '/v1/tags/rules' })).json().rules).toEqual([{ tag: 'vip', when: { field: 'quality', '>=': 80 } }]);
    const bad = await rpc((done) => h.client.setTagRules({ rules: [{ tag: 'vip', when: 'quality >= 80' }] }, done)).catch((e: ServiceError) => e);
    expect([(bad as ServiceError).code, (bad as ServiceError).details]).toEqual([GrpcStatus.INVALID_ARGUMENT, expect.stringMatching(/^INVALID_TAG_RULES: rules\[0\]\.when: must be a condition as JSON text/)]);
  });
});
