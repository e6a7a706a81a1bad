/** An error a client caused or should know about: a stable code, an HTTP status, a message that says what to do. */
export class GatewayError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export const errors = {
  jobNotFound: (id: string) => new GatewayError('JOB_NOT_FOUND', 404, `no job with id "${id}" for this tenant`),
  noFile: () => new GatewayError('FILE_MISSING', 400, 'send the file as the multipart field "file"'),
  tooLarge: (limit: number) =>
    new GatewayError('UPLOAD_TOO_LARGE', 413, `the file is larger than the upload limit of ${limit} bytes: split it into smaller files`),
  badWebhook: (url: string) =>
    new GatewayError('INVALID_WEBHOOK_URL', 400, `webhook "${url.slice(0, 200)}" is not an http or https URL`),
  badDncBody: () =>
    new GatewayError('INVALID_DNC_NUMBERS', 400, 'send {"numbers": ["+12015550123", ...]} as JSON, or one number per line as text/plain'),
  mappingNotReady: (id: string) =>
    new GatewayError('MAPPING_NOT_READY', 409, `job "${id}" has not been mapped yet: its first rows are still on their way; ask again shortly`),
  unknownExport: (kind: string) =>
    new GatewayError('UNKNOWN_EXPORT', 404, `no export "${kind.slice(0, 50)}": ask for leads, duplicates, rejected or suppressed`),
  tooManyNumbers: (max: number) => new GatewayError('TOO_MANY_NUMBERS', 413, `send at most ${max} numbers per request`),
};
