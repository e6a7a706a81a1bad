import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { SynonymBackup as Backup } from '@leadflow/mapping';
import type {
  LeadflowGatewayServer, LeadflowGatewayService, RestoreSynonymsRequest, SetSynonymsRequest, SynonymBackup, SynonymList, TenantSynonyms,
} from '@leadflow/proto';
import type { MappingSettings, SynonymsView } from './mapping-settings.js';

/** grpc-server.ts's wrapper of a unary RPC: the caller checked for `method`'s role, its tenant given to `fn`. */
export type Unary = <Req, Res>(
  method: keyof LeadflowGatewayService,
  fn: (call: ServerUnaryCall<Req, Res>, tenantId: string) => Promise<Res>,
) => (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void;

const toLists = (byField: Readonly<Record<string, readonly string[] | undefined>>): Record<string, SynonymList> =>
  Object.fromEntries(Object.entries(byField).map(([field, headers]) => [field, { headers: [...(headers ?? [])] }]));

/** Synonyms as a client sent them, for the same check as REST's JSON. */
const fromLists = (byField: Readonly<Record<string, SynonymList>>): Record<string, string[]> =>
  Object.fromEntries(Object.entries(byField).map(([field, list]) => [field, list.headers]));

const toView = (v: SynonymsView): TenantSynonyms => ({ synonyms: toLists(v.synonyms), builtIn: toLists(v.builtIn), version: v.version, updatedAt: v.updatedAt ?? '' });

const toBackup = (b: Backup): SynonymBackup => ({ id: b.id, createdAt: b.createdAt, version: b.version, synonyms: toLists(b.synonyms) });

/** The template and synonym RPCs, over the same settings as REST's routes (mapping-routes.ts). */
export function mappingRpcs(settings: MappingSettings, unary: Unary): Pick<
  LeadflowGatewayServer,
  'getTemplate' | 'getSynonyms' | 'setSynonyms' | 'backupSynonyms' | 'listSynonymBackups' | 'restoreSynonyms'
> {
  return {
    getTemplate: unary('getTemplate', async () => settings.template()),
    getSynonyms: unary('getSynonyms', async (_call, tenantId) => toView(await settings.getSynonyms(tenantId))),
    setSynonyms: unary('setSynonyms', async (call: ServerUnaryCall<SetSynonymsRequest, TenantSynonyms>, tenantId) =>
      toView(await settings.setSynonyms(tenantId, fromLists(call.request.synonyms))),
    ),
    backupSynonyms: unary('backupSynonyms', async (_call, tenantId) => toBackup(await settings.backupSynonyms(tenantId))),
    listSynonymBackups: unary('listSynonymBackups', async (_call, tenantId) => ({
      backups: (await settings.listSynonymBackups(tenantId)).backups.map(toBackup),
    })),
    restoreSynonyms: unary('restoreSynonyms', async (call: ServerUnaryCall<RestoreSynonymsRequest, TenantSynonyms>, tenantId) =>
      toView(await settings.restoreSynonyms(tenantId, call.request.id)),
    ),
  };
}
