import type { sendUnaryData, ServerErrorResponse, ServerReadableStream, ServerUnaryCall } from '@grpc/grpc-js';
import type { DncListLoad, DncListLoadRequest, ListDncListsRequest, ListDncListsResponse } from '@leadflow/proto';
import type { DncLoadMode } from '@leadflow/stores';
import type { DncListLoadView } from './dnc-list-service.js';
import { GatewayError } from './gateway-error.js';
import type { JobService } from './job-service.js';

type Unary = <Req, Res>(
  method: 'listDncLists',
  fn: (call: ServerUnaryCall<Req, Res>, tenantId: string) => Promise<Res>,
) => (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

export interface DncListRpcDeps {
  service: JobService;
  unary: Unary;
  tenantOf(call: ServerReadableStream<DncListLoadRequest, DncListLoad>, method: 'replaceDncList' | 'changeDncList'): Promise<string>;
  toStatus(err: unknown): Partial<ServerErrorResponse>;
}

const toProto = (v: DncListLoadView): DncListLoad => ({ ...v, problems: v.problems.map((p) => ({ ...p })) });

/** The gRPC twins of GET /v1/dnc/lists, PUT /v1/dnc/lists/{list} and POST /v1/dnc/lists/{list}/changes. */
export function dncListRpcs({ service, unary, tenantOf, toStatus }: DncListRpcDeps) {
  const load = (method: 'replaceDncList' | 'changeDncList', mode: DncLoadMode) => (call: ServerReadableStream<DncListLoadRequest, DncListLoad>, callback: sendUnaryData<DncListLoad>) => {
    (async () => {
      const tenantId = await tenantOf(call, method);
      const messages = call[Symbol.asyncIterator]() as AsyncIterator<DncListLoadRequest>;
      const first = await messages.next();
      const target = first.done ? undefined : first.value.target;
      if (!target) throw new GatewayError('METADATA_FIRST', 'send DncListTarget as the first message, then the file in chunks');
      async function* chunks(): AsyncGenerator<Buffer> {
        for (let next = await messages.next(); !next.done; next = await messages.next()) {
          if (next.value.chunk) yield Buffer.from(next.value.chunk);
        }
      }
      return toProto(await service.loadDncList(tenantId, target.list, mode, target.snapshotDate || undefined, chunks()));
    })().then(
      (res) => callback(null, res),
      (err) => callback(toStatus(err)),
    );
  };
  return {
    listDncLists: unary<ListDncListsRequest, ListDncListsResponse>('listDncLists', async (_call, tenantId) => ({
      lists: (await service.listDncLists(tenantId)).lists.map((l) => ({
        list: l.list,
        shared: l.shared,
        source: l.source,
        snapshotDate: l.snapshotDate,
        ageDays: l.ageDays ?? -1,
        version: l.version,
        size: l.size,
        changedAt: l.changedAt,
      })),
    })),
    replaceDncList: load('replaceDncList', 'replace'),
    changeDncList: load('changeDncList', 'changes'),
  };
}
