import type { ServerUnaryCall } from '@grpc/grpc-js';
import type {
  GetSupplierScorecardRequest, GetTagRulesRequest, LeadflowGatewayServer, SetTagRulesRequest, SupplierScorecard, TagRules,
} from '@leadflow/proto';
import { GatewayError } from './gateway-error.js';
import type { Unary } from './mapping-rpcs.js';
import { toProtoMoney } from './supplier-messages.js';
import type { SupplierScorecardView } from './supplier-scorecard.js';
import type { TagRuleSettings, TagRulesView } from './tag-rule-settings.js';

const toProtoRules = (v: TagRulesView): TagRules => ({
  rules: v.rules.map((r) => ({ tag: r.tag, when: JSON.stringify(r.when) })),
  updatedAt: v.updatedAt ?? '',
});

/** Each rule's condition from its JSON text, for the same check as REST's body; text that is no JSON is named. */
function fromProtoRules(request: SetTagRulesRequest): { rules: unknown[] } {
  return {
    rules: request.rules.map((r, i) => {
      let when: unknown;
      try {
        when = JSON.parse(r.when);
      } catch {
        throw new GatewayError('INVALID_TAG_RULES', `rules[${i}].when: must be a condition as JSON text, e.g. {"field": "email_type", "equals": "business"}`);
      }
      return { tag: r.tag, when };
    }),
  };
}

const toProtoScorecard = (s: SupplierScorecardView): SupplierScorecard => ({
  ...s,
  from: s.from ?? '',
  to: s.to ?? '',
  costs: s.costs.map((c) => ({ ...c, costPerAcceptedLead: toProtoMoney(c.costPerAcceptedLead) })),
  averageQuality: s.averageQuality ?? undefined,
  exclusiveShare: s.exclusiveShare ?? undefined,
});

/** GetTagRules, SetTagRules and GetSupplierScorecard, over the same service as REST's routes. */
export function tagRuleRpcs(
  service: TagRuleSettings & { getSupplierScorecard(id: string, tenantId: string, q: { from?: string; to?: string }): Promise<SupplierScorecardView> },
  unary: Unary,
): Pick<LeadflowGatewayServer, 'getTagRules' | 'setTagRules' | 'getSupplierScorecard'> {
  return {
    getTagRules: unary('getTagRules', async (_call: ServerUnaryCall<GetTagRulesRequest, TagRules>, tenantId) => toProtoRules(await service.getTagRules(tenantId))),
    setTagRules: unary('setTagRules', async (call: ServerUnaryCall<SetTagRulesRequest, TagRules>, tenantId) =>
      toProtoRules(await service.setTagRules(tenantId, fromProtoRules(call.request))),
    ),
    getSupplierScorecard: unary('getSupplierScorecard', async (call: ServerUnaryCall<GetSupplierScorecardRequest, SupplierScorecard>, tenantId) =>
      toProtoScorecard(await service.getSupplierScorecard(call.request.id, tenantId, { from: call.request.from || undefined, to: call.request.to || undefined })),
    ),
  };
}
