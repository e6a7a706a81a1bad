import { bool, custom, list, type ConfigOf } from '@leadflow/config';
import { forbiddenReason } from './address-ranges.js';
import { parseAllowList } from './allow-list.js';

/** What an operator allows outbound requests beyond https to public addresses (docs/architecture.md section 6). */
export const outboundSchema = {
  outboundAllowCidrs: [
    'OUTBOUND_ALLOW_CIDRS',
    custom('comma-separated CIDRs', (raw) => parseAllowList(list().parse(raw)).cidrs, {
      default: [] as readonly string[],
      description: 'non-public addresses webhooks may reach anyway, e.g. 127.0.0.0/8 for a receiver in development; empty allows none',
    }),
  ],
  outboundAllowHttp: [
    'OUTBOUND_ALLOW_HTTP',
    bool({ default: false, description: 'let webhooks use plain http (leads then travel unencrypted); else https only' }),
  ],
} as const;

export interface OutboundSettings {
  /** @default [] */
  allowCidrs?: readonly string[];
  /** @default false */
  allowHttp?: boolean;
}

/** The one judge of where outbound requests may go, built from the settings. */
export interface OutboundRules {
  readonly allowHttp: boolean;
  /** Why a request may not go to this address, or null when it may. */
  refusalOf(address: string): string | null;
}

export function createOutboundRules(settings: OutboundSettings = {}): OutboundRules {
  const allowed = parseAllowList(settings.allowCidrs ?? []);
  return {
    allowHttp: settings.allowHttp ?? false,
    refusalOf: (address) => (allowed.allows(address) ? null : forbiddenReason(address)),
  };
}

/** The rules out of a loaded config that includes `outboundSchema`. */
export function outboundRulesFromConfig(config: ConfigOf<typeof outboundSchema>): OutboundRules {
  return createOutboundRules({ allowCidrs: config.outboundAllowCidrs, allowHttp: config.outboundAllowHttp });
}
