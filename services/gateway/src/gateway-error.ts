import type { JobFailure } from '@leadflow/proto';
import { ERROR_CATALOGUE, isErrorCode, type ErrorCode } from './error-catalogue.js';

/**
 * An error a client caused or should know about: a stable code from the catalogue (which gives
 * its HTTP status), a message that says what to do, and the job it concerns, if one was created.
 */
export class GatewayError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CATALOGUE[code].message,
    readonly jobId?: string,
  ) {
    super(message);
    this.name = 'GatewayError';
    this.statusCode = ERROR_CATALOGUE[code].status;
  }

  /** The same error, about the job an upload created. */
  forJob(jobId: string): GatewayError {
    return new GatewayError(this.code, this.message, jobId);
  }
}

export const errors = {
  jobNotFound: (id: string) => new GatewayError('JOB_NOT_FOUND', `no job with id "${id.slice(0, 40)}" for this tenant`),
  jobAlreadyEnded: (id: string, status: string) => new GatewayError('JOB_ALREADY_ENDED', `job ${id} has ended already: it is ${status}`),
  jobNotFinished: (id: string, status: string) =>
    new GatewayError(
      'JOB_NOT_FINISHED',
      `job ${id} has not finished storing its rows: it is ${status.replace('_', ' ')}; download it once it is completed, failed or cancelled (GET /v1/jobs/${id}/exports/leads.csv has what is stored so far)`,
    ),
  noFile: () => new GatewayError('FILE_MISSING'),
  /** The file of job `jobId` cannot be read: the answer is its job failure. */
  unreadable: (failure: JobFailure, jobId: string) =>
    new GatewayError(isErrorCode(failure.code) ? failure.code : 'INTERNAL', failure.message, jobId),
  metadataFirst: () => new GatewayError('METADATA_FIRST'),
  notMultipart: () => new GatewayError('NOT_MULTIPART'),
  tooLarge: (limit: number) =>
    new GatewayError('UPLOAD_TOO_LARGE', `the file is larger than the upload limit of ${limit} bytes: split it into smaller files`),
  badWebhook: (url: string) =>
    new GatewayError('INVALID_WEBHOOK_URL', `webhook "${url.slice(0, 200)}" is not an http or https URL`),
  forbiddenWebhook: (url: string, reason: string) =>
    new GatewayError('WEBHOOK_URL_FORBIDDEN', `webhook "${url.slice(0, 200)}" is not allowed: ${reason}; webhooks go to public addresses over https`),
  badDncBody: () => new GatewayError('INVALID_DNC_NUMBERS'),
  mappingNotReady: (id: string) =>
    new GatewayError('MAPPING_NOT_READY', `job "${id}" has not been mapped yet: its first rows are still on their way; ask again shortly`),
  unknownExport: (kind: string) =>
    new GatewayError('UNKNOWN_EXPORT', `no export "${kind.slice(0, 50)}": ask for leads, duplicates, rejected or suppressed`),
  notInReview: (id: string, status: string) =>
    new GatewayError(
      'NOT_IN_REVIEW',
      `job "${id}" is not waiting for review (its mapping is ${status.replace('_', ' ')}): upload with review=true to review a mapping before the rows go on`,
    ),
  fileNotInReview: (id: string, file: string, status: string) =>
    new GatewayError(
      'NOT_IN_REVIEW',
      `file "${file.slice(0, 200)}" of job "${id}" is not waiting for review (its mapping is ${status.replace('_', ' ')}): the job's other files may be`,
    ),
  unknownFile: (id: string, file: string, known: readonly string[]) =>
    new GatewayError('UNKNOWN_FILE', `job "${id}" has no file "${file.slice(0, 200)}"; its files are: ${known.map((f) => JSON.stringify(f)).join(', ').slice(0, 2000)}`),
  unknownColumn: (header: string, known: readonly string[]) =>
    new GatewayError('UNKNOWN_COLUMN', `the file has no column "${header.slice(0, 100)}"; its columns are: ${known.map((h) => JSON.stringify(h)).join(', ').slice(0, 2000)}`),
  unknownField: (field: string, known: readonly string[]) =>
    new GatewayError('UNKNOWN_FIELD', `"${field.slice(0, 100)}" is not a lead field; use one of: ${known.join(', ')}, or extra to keep the column aside`),
  badDecision: () => new GatewayError('INVALID_MAPPING_DECISION'),
  leadNotFound: (id: string) => new GatewayError('LEAD_NOT_FOUND', `no lead with id "${id.slice(0, 40)}" for this tenant`),
  mergeNotFound: (id: string) => new GatewayError('MERGE_NOT_FOUND', `no merge with id "${id.slice(0, 40)}" for this tenant`),
  mergeAlreadyReverted: (id: string, at: string) => new GatewayError('MERGE_ALREADY_REVERTED', `merge ${id} was undone at ${at}`),
  possibleDuplicateNotFound: (id: string) =>
    new GatewayError('POSSIBLE_DUPLICATE_NOT_FOUND', `no possible duplicate with lead id "${id.slice(0, 40)}" for this tenant`),
  possibleDuplicateDecided: (id: string, status: string, at: string) =>
    new GatewayError('POSSIBLE_DUPLICATE_DECIDED', `lead ${id} was already decided ${status} at ${at}`),
  matchedLeadGone: (id: string, matched: string) =>
    new GatewayError(
      'MATCHED_LEAD_GONE',
      `lead ${matched}, which lead ${id} may copy, is no longer a lead (decided a duplicate itself): decide "distinct", or look up the lead it was merged into`,
    ),
  badPossibleDecision: () => new GatewayError('INVALID_DECISION'),
  badReviewQuery: (why: string) => new GatewayError('INVALID_QUERY', why),
  badPolicy: (why: string) => new GatewayError('INVALID_DEDUP_POLICY', `${why}; send {"supplier"?: "...", "policy": {...}}`),
  tooManyNumbers: (max: number) => new GatewayError('TOO_MANY_NUMBERS', `send at most ${max} numbers per request`),
};
