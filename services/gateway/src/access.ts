import type { Counter } from 'prom-client';
import type { Role } from './api-key.js';
import type { ApiKeyStore, Caller, KeyRefusal } from './api-key-store.js';
import { GatewayError } from './gateway-error.js';

/**
 * Who may call what (issue 11). Every REST route and RPC names the least role it needs;
 * `open` ones (probes, metrics, the API document, gRPC health and reflection) need no key.
 * Roles nest: an admin may do all an uploader may, an uploader all a viewer may.
 * - viewer: read its tenant's jobs, leads, merges, policies;
 * - uploader: also create jobs, confirm their mapping, push leads;
 * - admin: also keys, lists, policies, decisions that change stored leads.
 */
export type Access = 'open' | Role;

const RANK: Record<Role, number> = { viewer: 0, uploader: 1, admin: 2 };

/** Whether a key of role `role` may do what needs `needed`. */
export const permits = (role: Role, needed: Role): boolean => RANK[role] >= RANK[needed];

/** Why a call was refused, as `leadflow_auth_failures_total{reason}` counts it. */
export type AuthFailure = 'missing' | KeyRefusal | 'forbidden';

/** The key of an `Authorization: Bearer <key>` value (any case of "Bearer", as RFC 9110 allows); undefined when there is none. */
export function bearerKey(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}

const MESSAGES: Record<Exclude<AuthFailure, 'forbidden'>, string> = {
  missing: 'this call needs an API key: send it as "Authorization: Bearer <key>" (gRPC: metadata "authorization"); an admin makes one with POST /v1/keys or npx leadflow keys create',
  malformed: 'the API key is not one Leadflow made (lfk_ and 57 characters): copy it again whole',
  unknown: 'the API key is not known here: check the installation you call, or ask an admin for a key',
  revoked: 'the API key was revoked: ask an admin of your tenant for a new one',
  expired: 'the API key has expired: ask an admin of your tenant for a new one',
};

export interface Authenticator {
  /**
   * The caller of a request whose authorization header is `header`, allowed to do what needs
   * `needed`; a GatewayError (UNAUTHENTICATED or FORBIDDEN) otherwise, counted by reason.
   */
  authorize(header: string | undefined, needed: Role, what: string): Promise<Caller>;
}

export function createAuthenticator(keys: Pick<ApiKeyStore, 'check'>, failures?: Counter<'reason'>): Authenticator {
  const refuse = (reason: AuthFailure, err: GatewayError) => {
    failures?.inc({ reason });
    return err;
  };
  return {
    async authorize(header, needed, what) {
      const raw = bearerKey(header);
      if (raw === undefined) throw refuse('missing', new GatewayError('UNAUTHENTICATED', MESSAGES.missing));
      const checked = await keys.check(raw);
      if ('refused' in checked) throw refuse(checked.refused, new GatewayError('UNAUTHENTICATED', MESSAGES[checked.refused]));
      const { caller } = checked;
      if (!permits(caller.role, needed)) {
        throw refuse('forbidden', new GatewayError('FORBIDDEN', `${/^[aeiu]/.test(caller.role) ? 'an' : 'a'} ${caller.role} key may not ${what}: it needs a key of role ${needed} or above`));
      }
      return caller;
    },
  };
}
