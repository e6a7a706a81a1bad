import { PRIORITIES, type Priority } from '@leadflow/bus';
import { GatewayError } from './gateway-error.js';

export { PRIORITIES, type Priority };

/**
 * An upload's priority as a client sent it (form field, query parameter, gRPC metadata): high,
 * normal or low, in any case; nothing or empty is normal. Anything else is INVALID_PRIORITY.
 */
export function parsePriority(value: string | undefined): Priority {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return 'normal';
  if ((PRIORITIES as readonly string[]).includes(v)) return v as Priority;
  throw new GatewayError('INVALID_PRIORITY', `priority "${String(value).slice(0, 40)}" is not one of ${PRIORITIES.join(', ')}`);
}
