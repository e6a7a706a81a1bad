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
  notInReview: (id: string, status: string) =>
    new GatewayError(
      'NOT_IN_REVIEW',
      409,
      `job "${id}" is not waiting for review (its mapping is ${status.replace('_', ' ')}): upload with review=true to review a mapping before the rows go on`,
    ),
  unknownColumn: (header: string, known: readonly string[]) =>
    new GatewayError('UNKNOWN_COLUMN', 400, `the file has no column "${header.slice(0, 100)}"; its columns are: ${known.map((h) => JSON.stringify(h)).join(', ').slice(0, 2000)}`),
  unknownField: (field: string, known: readonly string[]) =>
    new GatewayError('UNKNOWN_FIELD', 400, `"${field.slice(0, 100)}" is not a lead field; use one of: ${known.join(', ')}, or extra to keep the column aside`),
  badDecision: () =>
    new GatewayError('INVALID_MAPPING_DECISION', 400, 'send {"fields": {"<source header>": "<field or extra>"}} with the columns to change, or {} to confirm the proposed mapping'),
  mergeNotFound: (id: string) => new GatewayError('MERGE_NOT_FOUND', 404, `no merge with id "${id.slice(0, 40)}" for this tenant`),
  mergeAlreadyReverted: (id: string, at: string) => new GatewayError('MERGE_ALREADY_REVERTED', 409, `merge ${id} was undone at ${at}`),
  possibleDuplicateNotFound: (id: string) =>
    new GatewayError('POSSIBLE_DUPLICATE_NOT_FOUND', 404, `no possible duplicate with lead id "${id.slice(0, 40)}" for this tenant`),
  possibleDuplicateDecided: (id: string, status: string, at: string) =>
    new GatewayError('POSSIBLE_DUPLICATE_DECIDED', 409, `lead ${id} was already decided ${status} at ${at}`),
  matchedLeadGone: (id: string, matched: string) =>
    new GatewayError(
      'MATCHED_LEAD_GONE',
      409,
      `lead ${matched}, which lead ${id} may copy, is no longer a lead (decided a duplicate itself): decide "distinct", or look up the lead it was merged into`,
    ),
  badPossibleDecision: () => new GatewayError('INVALID_DECISION', 400, 'send {"decision": "duplicate"} (the same person: merge) or {"decision": "distinct"} (two people)'),
  badReviewQuery: (why: string) => new GatewayError('INVALID_QUERY', 400, why),
  badPolicy: (why: string) => new GatewayError('INVALID_DEDUP_POLICY', 400, `${why}; send {"supplier"?: "...", "policy": {...}}`),
  tooManyNumbers: (max: number) => new GatewayError('TOO_MANY_NUMBERS', 413, `send at most ${max} numbers per request`),
};
