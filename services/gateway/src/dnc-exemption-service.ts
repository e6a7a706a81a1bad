import { normalizeEmail, normalizePhone } from '@leadflow/mapping';
import { DNC_EXEMPTION_KINDS, exemptionUntil, type DncExemption, type DncExemptionKind, type DncExemptionStore } from '@leadflow/stores';
import { GatewayError } from './gateway-error.js';

/** An exemption as the API answers it, over REST and gRPC alike. */
export interface DncExemptionView {
  id: string;
  phone: string;
  email: string;
  kind: DncExemptionKind;
  date: string;
  /** The last day it exempts; '' for a consent (until revoked). */
  until: string;
  evidence: { url: string; text: string };
  createdAt: string;
  revokedAt: string;
}

export interface DncExemptionInput {
  phone?: string;
  email?: string;
  kind?: string;
  date?: string;
  evidence?: { url?: string; text?: string };
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_TEXT = 10_000;

const view = (e: DncExemption): DncExemptionView => ({
  id: e.id,
  phone: e.phone,
  email: e.email,
  kind: e.kind,
  date: e.date,
  until: exemptionUntil(e.kind, e.date),
  evidence: { url: e.evidenceUrl, text: e.evidenceText },
  createdAt: e.createdAt,
  revokedAt: e.revokedAt,
});

const invalid = (message: string) => new GatewayError('INVALID_DNC_EXEMPTION', message);

/**
 * Exemptions with their evidence (docs/dnc-lists.md, "Exemptions"): a tenant records an existing
 * business relationship or a consent for a phone or an email; the dnc stage lifts national and
 * state listings within its window. Each tenant sees and revokes only its own.
 */
export function createDncExemptionService(store: DncExemptionStore | undefined, defaultRegion = 'US') {
  const need = () => {
    if (!store) throw new Error('this gateway was built without a Do-Not-Call exemption store');
    return store;
  };
  /** The phone or email a request names: exactly one, in the form the stage screens (E.164, lowercase). */
  function contactOf(phone: string | undefined, email: string | undefined): { phone?: string; email?: string } {
    if (phone && email) throw invalid('give phone or email, not both');
    if (phone) {
      const e164 = normalizePhone(phone, defaultRegion);
      if (!e164) throw invalid(`phone "${phone.slice(0, 40)}" is not a valid number`);
      return { phone: e164 };
    }
    if (email) {
      const normal = normalizeEmail(email);
      if (!normal) throw invalid(`email "${email.slice(0, 60)}" is not a valid address`);
      return { email: normal.toLowerCase() };
    }
    throw invalid('give the phone or the email the exemption is for');
  }

  return {
    async addDncExemption(tenantId: string, input: DncExemptionInput): Promise<DncExemptionView> {
      const contact = contactOf(input.phone || undefined, input.email || undefined);
      if (!DNC_EXEMPTION_KINDS.includes(input.kind as DncExemptionKind)) throw invalid(`kind must be one of ${DNC_EXEMPTION_KINDS.join(', ')}`);
      const m = DAY.exec(input.date ?? '');
      const at = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
      if (!m || Number.isNaN(at) || new Date(at).getUTCDate() !== Number(m[3]) || at > Date.now()) {
        throw invalid(`date "${(input.date ?? '').slice(0, 40)}" must be the day of the ${input.kind === 'consent' ? 'consent' : input.kind === 'ebr_purchase' ? 'purchase' : 'inquiry'}, YYYY-MM-DD, not to come`);
      }
      const url = input.evidence?.url ?? '';
      const text = input.evidence?.text ?? '';
      if (url && !/^https?:\/\/\S+$/i.test(url)) throw invalid('evidence.url must be an http(s) URL');
      if (url.length > 2000 || text.length > MAX_TEXT) throw invalid(`evidence.url is at most 2000 characters, evidence.text at most ${MAX_TEXT}`);
      return view(await need().add(tenantId, { ...contact, kind: input.kind as DncExemptionKind, date: input.date!, evidenceUrl: url, evidenceText: text }));
    },

    async listDncExemptions(tenantId: string, phone: string | undefined, email: string | undefined): Promise<{ exemptions: DncExemptionView[] }> {
      return { exemptions: (await need().find(tenantId, contactOf(phone || undefined, email || undefined))).map(view) };
    },

    async revokeDncExemption(tenantId: string, id: string): Promise<{ id: string; revoked: true }> {
      if (!(await need().revoke(tenantId, id))) throw new GatewayError('DNC_EXEMPTION_NOT_FOUND', `no exemption ${id.slice(0, 40)} in force for this tenant`);
      return { id, revoked: true };
    },
  };
}
