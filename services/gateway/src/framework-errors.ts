import { GatewayError } from './gateway-error.js';
import type { ErrorCode } from './error-catalogue.js';

/** fastify's and @fastify/multipart's error codes, as the catalogue's. */
const BY_CODE: Record<string, ErrorCode> = {
  FST_ERR_NOT_FOUND: 'NOT_FOUND',
  FST_ERR_BAD_URL: 'INVALID_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'INVALID_URL',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'INVALID_CONTENT_LENGTH',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'NOT_MULTIPART',
  FST_FILES_LIMIT: 'TOO_MANY_FILES',
  FST_FIELDS_LIMIT: 'TOO_MANY_FIELDS',
  FST_PARTS_LIMIT: 'TOO_MANY_FIELDS',
  FST_REQ_FILE_TOO_LARGE: 'UPLOAD_TOO_LARGE',
  FST_PROTO_VIOLATION: 'MALFORMED_MULTIPART',
  FST_INVALID_JSON_FIELD_ERROR: 'MALFORMED_MULTIPART',
  FST_MP_PREMATURE_CLOSE: 'UPLOAD_ABORTED',
  // The client went away in the middle of its request.
  ECONNRESET: 'UPLOAD_ABORTED',
  ERR_STREAM_PREMATURE_CLOSE: 'UPLOAD_ABORTED',
};

/** busboy's errors carry no code: they are told by their message. */
const MULTIPART_MESSAGE = /^(Multipart: Boundary not found|Unexpected end of|Malformed|Part terminated early|.* terminated early due to unexpected end)/;

/**
 * A framework's error as a catalogued GatewayError, or undefined for one that is not the
 * client's doing (a bug: answered INTERNAL and logged). Only errors with a client status
 * (4xx), or busboy's, which have none, are the client's.
 */
export function fromFrameworkError(err: unknown): GatewayError | undefined {
  if (err instanceof GatewayError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  const mapped = e.code ? BY_CODE[e.code] : undefined;
  if (mapped) return new GatewayError(mapped);
  if (typeof e.message === 'string' && MULTIPART_MESSAGE.test(e.message)) return new GatewayError('MALFORMED_MULTIPART');
  if (e.message === 'aborted') return new GatewayError('UPLOAD_ABORTED');
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return new GatewayError('BAD_REQUEST');
  return undefined;
}
