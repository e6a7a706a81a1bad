import { credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { LeadflowGatewayClient, type SupplierMapping } from '@leadflow/proto';
import { expect, it } from 'vitest';
import { withApiKey } from './api-keys.js';
import { FAX_MAPPING, faxFile, uploadMapped } from './mapped-upload.js';
import { callRest } from './tenant-walk.js';
import { uniqueName } from './infra-env.js';

/** A running gateway (`leadflow serve` or Kafka mode) and the admin keys of two tenants. */
export interface SupplierMappingContext {
  base: string;
  grpcAddress: string;
  adminA: string;
  adminB: string;
  /** How long a small job may take to complete on a loaded machine. */
  timeoutMs: number;
}

type Json = Record<string, unknown>;

/**
 * A supplier's confirmed mapping (GET / PUT /v1/suppliers/{id}/mapping, issue 12) as a partner
 * system drives it, over REST and gRPC: its tests, run in order in one describe block of
 * `leadflow serve` or of Kafka mode. Returns the supplier's id and name once the first test made it.
 */
export function supplierMappingScenario(context: () => SupplierMappingContext): { supplierId: string; supplier: string } {
  const state = { supplierId: '', supplier: uniqueName('Fax Sender') };
  const rest = async (key: string, method: string, path: string, json?: unknown) => {
    const answer = await callRest(context().base, key, method, path, json === undefined ? undefined : { json });
    return { ...answer, body: JSON.parse(answer.text || 'null') as Json };
  };
  const upload = (key: string) => uploadMapped(context().base, key, faxFile().csv, { supplier: state.supplier, timeoutMs: context().timeoutMs });

  it("maps the supplier's next file by the mapping PUT, where its headers would map otherwise; another tenant's files as before", async () => {
    const { adminA, adminB } = context();
    const made = await rest(adminA, 'POST', '/v1/suppliers', { name: state.supplier });
    expect(made.status).toBe(201);
    state.supplierId = made.body.id as string;
    const before = await upload(adminA);
    expect([before.columns.Phone?.field, before.columns.Ref?.field]).toEqual(['phone', 'extra']);
    expect(await rest(adminA, 'GET', `/v1/suppliers/${state.supplierId}/mapping`)).toMatchObject({ status: 200, body: { supplier: state.supplier, mapping: [] } });

    const put = await rest(adminA, 'PUT', `/v1/suppliers/${state.supplierId}/mapping`, { mapping: FAX_MAPPING });
    expect(put.status, put.text).toBe(200);
    expect(put.body.mapping).toEqual([
      { header: 'Phone', field: 'extra', learnedAt: expect.any(String), learnedBy: 'api', jobId: null },
      { header: 'Ref', field: 'source', learnedAt: expect.any(String), learnedBy: 'api', jobId: null },
    ]);
    const after = await upload(adminA);
    expect(after.columns).toEqual({
      Email: { field: 'email', confidence: 1 }, Phone: { field: 'extra', confidence: 0.99 }, Ref: { field: 'source', confidence: 0.99 },
    });
    expect(after.leads).toEqual([expect.objectContaining({ phone: '', source: 'Messe Köln', Phone: '(201) 555-0123' })]);

    // Tenant B's supplier of the same name has a mapping of its own (none), and A's is not B's to see or change.
    const theirs = await upload(adminB);
    expect([theirs.columns.Phone?.field, theirs.columns.Ref?.field]).toEqual(['phone', 'extra']);
    for (const [method, json] of [['GET', undefined], ['PUT', { mapping: [] }]] as const) {
      const answer = await rest(adminB, method, `/v1/suppliers/${state.supplierId}/mapping`, json);
      expect([answer.status, answer.code], method).toEqual([404, 'SUPPLIER_NOT_FOUND']);
      expect(answer.text).not.toContain(state.supplier);
    }
    expect((await rest(adminA, 'GET', `/v1/suppliers/${state.supplierId}/mapping`)).body.mapping).toHaveLength(2);
  });

  it('answers the same over gRPC, and refuses a bad entry by name without changing the mapping', async () => {
    const { grpcAddress, adminA } = context();
    const client = new LeadflowGatewayClient(grpcAddress, credentials.createInsecure(), { interceptors: [withApiKey(adminA)] });
    const call = <T>(run: (done: (err: ServiceError | null, res?: T) => void) => void) =>
      new Promise<T>((resolve, reject) => run((err, res) => (err ? reject(err) : resolve(res!))));
    try {
      const got = await call<SupplierMapping>((done) => client.getSupplierMapping({ id: state.supplierId }, done));
      const viaRest = (await rest(adminA, 'GET', `/v1/suppliers/${state.supplierId}/mapping`)).body as { mapping: { header: string; field: string; learnedBy: string }[] };
      expect(got.mapping.map((e) => [e.header, e.field, e.learnedBy])).toEqual(viaRest.mapping.map((e) => [e.header, e.field, e.learnedBy]));
      const bad = await call((done) =>
        client.setSupplierMapping({ id: state.supplierId, mapping: [{ header: 'Ref', field: 'origin', learnedAt: '', learnedBy: '', jobId: '' }] }, done),
      ).catch((err: ServiceError) => err);
      expect([(bad as ServiceError).code, (bad as ServiceError).details]).toEqual([
        GrpcStatus.INVALID_ARGUMENT, expect.stringMatching(/^INVALID_SUPPLIER_MAPPING: mapping\[0\]\.field "origin" is not a lead field/),
      ]);
      expect((await call<SupplierMapping>((done) => client.getSupplierMapping({ id: state.supplierId }, done))).mapping).toHaveLength(2);
    } finally {
      client.close();
    }
  });

  return state;
}
