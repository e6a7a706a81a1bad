import { nationalDigits, normalizeEmail, normalizePhone } from '@leadflow/mapping';
import { subjectOf } from './erasure-match.js';
import type { Erasure, ErasureResult } from './erasure.js';
import { GatewayError } from './gateway-error.js';

export interface ErasureInput {
  email?: string;
  phone?: string;
}

const invalid = (message: string) => new GatewayError('INVALID_ERASURE', message);

/**
 * POST /v1/erasure and gRPC ErasePerson (docs/erasure.md): the person named by an email and/or a
 * phone, read as the pipeline reads them (the email lowercase, the phone in any common spelling
 * to E.164, `defaultRegion` without a country code), removed from the caller's tenant only.
 */
export function createErasureService(erasure: Erasure | undefined, defaultRegion = 'US') {
  return {
    async erase(tenantId: string, keyPrefix: string, input: ErasureInput): Promise<ErasureResult> {
      const rawEmail = input.email?.trim() ?? '';
      const rawPhone = input.phone?.trim() ?? '';
      if (!rawEmail && !rawPhone) throw invalid('give the email and/or the phone of the person to erase');
      const email = rawEmail ? normalizeEmail(rawEmail) : undefined;
      if (rawEmail && !email) throw invalid(`email "${rawEmail.slice(0, 60)}" is not a valid address`);
      const phone = rawPhone ? normalizePhone(rawPhone, defaultRegion) : undefined;
      if (rawPhone && !phone) throw invalid(`phone "${rawPhone.slice(0, 40)}" is not a valid number`);
      if (!erasure) throw new GatewayError('INTERNAL', 'this gateway erases nothing: it was built without a database');
      return erasure.erase(tenantId, keyPrefix, subjectOf(email, phone, nationalDigits));
    },
  };
}
