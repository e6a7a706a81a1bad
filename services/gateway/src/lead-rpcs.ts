import { Disposition, type Job, type LeadflowGatewayServer, type LeadResult as ProtoLeadResult, type SubmitLeadRequest, type SubmitLeadResponse } from '@leadflow/proto';
import type { DispositionName } from '@leadflow/persistence';
import type { JobService } from './job-service.js';
import type { JobView } from './job-store.js';
import type { LeadResult } from './lead-intake.js';
import type { Unary } from './mapping-rpcs.js';

const DISPOSITIONS: Record<DispositionName, Disposition> = {
  accepted: Disposition.DISPOSITION_ACCEPTED,
  invalid: Disposition.DISPOSITION_INVALID,
  duplicate: Disposition.DISPOSITION_DUPLICATE,
  suppressed: Disposition.DISPOSITION_SUPPRESSED,
};

const toProtoResult = (r: LeadResult): ProtoLeadResult => ({
  jobId: r.jobId,
  disposition: DISPOSITIONS[r.disposition],
  reasons: r.reasons,
  leadId: r.leadId ?? '',
  match: r.match ?? undefined,
});

/** SubmitLead, over the same intake as REST's POST /v1/leads (lead-routes.ts). */
export function leadRpcs(service: JobService, unary: Unary, toProtoJob: (job: JobView) => Job): Pick<LeadflowGatewayServer, 'submitLead'> {
  return {
    submitLead: unary<SubmitLeadRequest, SubmitLeadResponse>('submitLead', async (call, tenantId) => {
      const { lead, supplier, waitMs } = call.request;
      const answer = await service.submitLead(tenantId, lead, { supplier, waitMs });
      return answer.result ? { result: toProtoResult(answer.result) } : { job: toProtoJob(answer.job) };
    }),
  };
}
