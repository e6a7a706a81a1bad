import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { ErasePersonRequest, ErasePersonResponse } from '@leadflow/proto';
import type { Caller } from './api-key-store.js';
import type { JobService } from './job-service.js';

/** The gRPC twin of POST /v1/erasure (erasure-routes.ts): the caller's key prefix goes to the erasure log. */
export function erasureRpcs(
  service: JobService,
  callerOf: (call: ServerUnaryCall<ErasePersonRequest, ErasePersonResponse>) => Promise<Caller>,
  toStatus: (err: unknown) => object,
) {
  return {
    erasePerson(call: ServerUnaryCall<ErasePersonRequest, ErasePersonResponse>, callback: sendUnaryData<ErasePersonResponse>) {
      callerOf(call)
        .then(async (caller) => {
          const r = await service.erase(caller.tenantId, caller.prefix, { email: call.request.email, phone: call.request.phone });
          return { id: r.id, erasedAt: r.erasedAt, removed: { ...r.removed }, suppressed: r.suppressed };
        })
        .then(
          (res) => callback(null, res),
          (err) => callback(toStatus(err)),
        );
    },
  };
}
