import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type {
  AddDncExemptionRequest, DncExemption, ListDncExemptionsRequest, ListDncExemptionsResponse, RevokeDncExemptionRequest, RevokeDncExemptionResponse,
} from '@leadflow/proto';
import type { DncExemptionView } from './dnc-exemption-service.js';
import type { JobService } from './job-service.js';

type Unary = <Req, Res>(
  method: 'addDncExemption' | 'listDncExemptions' | 'revokeDncExemption',
  fn: (call: ServerUnaryCall<Req, Res>, tenantId: string) => Promise<Res>,
) => (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

const toProto = (v: DncExemptionView): DncExemption => ({ ...v, evidence: { ...v.evidence } });

/** The gRPC twins of POST, GET and DELETE /v1/dnc/exemptions (dnc-exemption-routes.ts). */
export function dncExemptionRpcs(service: JobService, unary: Unary) {
  return {
    addDncExemption: unary<AddDncExemptionRequest, DncExemption>('addDncExemption', async (call, tenantId) => {
      const r = call.request;
      return toProto(await service.addDncExemption(tenantId, { phone: r.phone, email: r.email, kind: r.kind, date: r.date, evidence: r.evidence }));
    }),
    listDncExemptions: unary<ListDncExemptionsRequest, ListDncExemptionsResponse>('listDncExemptions', async (call, tenantId) => ({
      exemptions: (await service.listDncExemptions(tenantId, call.request.phone, call.request.email)).exemptions.map(toProto),
    })),
    revokeDncExemption: unary<RevokeDncExemptionRequest, RevokeDncExemptionResponse>('revokeDncExemption', async (call, tenantId) =>
      service.revokeDncExemption(tenantId, call.request.id),
    ),
  };
}
