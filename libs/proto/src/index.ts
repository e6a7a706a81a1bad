// Generated code lives in ./gen (npm run proto:generate); this file only re-exports it.
export * from './gen/leadflow/v1/batch.js';
export {
  AddDncNumbersRequest, AddDncNumbersResponse, CancelJobRequest, CancelJobResponse, CompositeKey, ConfirmMappingRequest, ConfirmMappingResponse, DecidePossibleDuplicateRequest, DecidePossibleDuplicateResponse, DedupPolicy, ExportRowsRequest, ExportRowsResponse, FieldChange, GetJobLimitsRequest, GetStorageRequest, Storage, StorageCleanup, StoredTable, GetJobRequest, GetJobResponse, JobLimits, SetJobLimitsRequest, GetMappingRequest, GetMappingResponse, Job, JobCounts, JobStatus, LeadflowGatewayClient, LeadflowGatewayService, ListDedupPoliciesRequest, ListDedupPoliciesResponse, ListMergesRequest, ListMergesResponse, ListPossibleDuplicatesRequest, ListPossibleDuplicatesResponse, Merge, PossibleDuplicate, PreviewRow, RevertMergeRequest, RevertMergeResponse, SetDedupPolicyRequest, SetDedupPolicyResponse, StoredDedupPolicy, UploadFileRequest, UploadFileResponse, UploadMetadata, WatchJobRequest, WatchJobResponse, jobStatusFromJSON, jobStatusToJSON, GetQualitySettingsRequest, QualitySettings, SetQualitySettingsRequest, CallingWindow, RescreenLeadsRequest, GetRescreenRequest, Rescreen, ErasePersonRequest, ErasePersonResponse,
  type LeadflowGatewayServer,
} from './gen/leadflow/v1/gateway.js';
export {
  CreateSupplierRequest, CreateSupplierResponse, GetSupplierRequest, GetSupplierResponse, ListSuppliersRequest, ListSuppliersResponse, Money, Supplier, SupplierCost,
  SupplierTotals, UpdateSupplierRequest, UpdateSupplierResponse,
  BackupSynonymsRequest, GetSynonymsRequest, GetTemplateRequest, GetTemplateResponse, ListSynonymBackupsRequest, ListSynonymBackupsResponse, RestoreSynonymsRequest,
  SetSynonymsRequest, SynonymBackup, SynonymList, TenantSynonyms,
  JobError, JobEvent, JobProgress, ListJobErrorsRequest, ListJobErrorsResponse, ListJobsRequest, ListJobsResponse, StageProgress,
} from './gen/leadflow/v1/gateway.js';
export { LeadMatch, LeadResult, SubmitLeadRequest, SubmitLeadResponse } from './gen/leadflow/v1/gateway.js';
export { GetSupplierMappingRequest, SetSupplierMappingRequest, SupplierMapping, SupplierMappingEntry } from './gen/leadflow/v1/gateway.js';
export { GetSupplierScorecardRequest, GetTagRulesRequest, SetTagRulesRequest, SupplierScorecard, TagRule as ProtoTagRule, TagRules } from './gen/leadflow/v1/gateway.js';
export { PushRecordsRequest, PushRecordsResponse, StreamRecord } from './gen/leadflow/v1/gateway.js';
export {
  CreateWebhookRequest, CreateWebhookResponse, DefaultWebhookSecret, Delivery, DeliveryAttempt, DeleteWebhookRequest, DeleteWebhookResponse, GetDefaultWebhookSecretRequest,
  GetWebhookRequest, GetWebhookSecretRequest, JobDeliveryRate, ListDeliveriesRequest, ListDeliveriesResponse, ListWebhooksRequest, ListWebhooksResponse,
  ReplayWebhookRequest, ReplayWebhookResponse, GetEventSchemaRequest, EventSchema, RotateDefaultWebhookSecretRequest, RotateWebhookSecretRequest, SetJobRateRequest, SetJobRateResponse,
  UpdateWebhookRequest, Webhook, WebhookEventTypes, WebhookHeaders, WebhookSecret,
} from './gen/leadflow/v1/gateway.js';
export { DncListLoad, DncListLoadProblem, DncListLoadRequest, DncListSummary, DncListTarget, ListDncListsRequest, ListDncListsResponse } from './gen/leadflow/v1/gateway.js';
export { DownloadJobRequest, DownloadJobResponse } from './gen/leadflow/v1/gateway.js';
export { FileMapping } from './gen/leadflow/v1/gateway.js';
export {
  AddDncExemptionRequest, DncExemption, DncExemptionEvidence, ListDncExemptionsRequest, ListDncExemptionsResponse, RevokeDncExemptionRequest, RevokeDncExemptionResponse,
} from './gen/leadflow/v1/gateway.js';
export { DncAudit, DncAuditCheck, DncPolicy, GetDncAuditRequest, GetDncPolicyRequest, SetDncPolicyRequest } from './gen/leadflow/v1/gateway.js';

import { fileURLToPath } from 'node:url';

/** The folder of the .proto sources (the repository's proto/), for gRPC reflection. */
export const protoDir: string = fileURLToPath(new URL('../../../proto', import.meta.url));
