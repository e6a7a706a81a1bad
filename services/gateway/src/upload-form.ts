import type { Multipart, MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { fromFrameworkError } from './framework-errors.js';
import { errors, GatewayError } from './gateway-error.js';
import type { UploadFields } from './job-service.js';
import type { UploadPart } from './upload-receiver.js';
import { isYes } from './record-upload.js';

/** The form fields `POST /v1/jobs` takes besides `file`, by name. */
const FIELDS: Record<string, (fields: Partial<UploadFields>, value: string) => void> = {
  supplier: (f, v) => (f.supplier = v.trim()),
  webhook: (f, v) => (f.webhookUrl = v.trim()),
  sheet: (f, v) => (f.sheet = v.trim()),
  review: (f, v) => (f.review = isYes(v)),
  priority: (f, v) => (f.priority = v),
};

export interface UploadForm {
  /** The fields sent before the file. */
  fields: Partial<UploadFields>;
  file: MultipartFile;
  /**
   * The files' bytes, read as they arrive: the first file's, then for each further `file` part its
   * start and its bytes (several files, one job: docs/several-files.md), the fields between them
   * kept for `trailing`. A request that breaks off fails them with a catalogued error.
   */
  bytes: AsyncIterable<UploadPart>;
  /** The fields sent after the first file, once the files were read. */
  trailing(): Promise<Partial<UploadFields>>;
}

/**
 * A multipart upload as it streams in: its fields in any order around the one `file` part, which
 * is never held in memory. Fields before the file come with it; those after it are read once
 * the file has been (the job takes them before its rows go on). Every problem of the form is a
 * catalogued error: an unknown or over-long field, a second file, a broken body.
 */
export async function readUploadForm(req: FastifyRequest): Promise<UploadForm> {
  const parts = req.parts()[Symbol.asyncIterator]();
  const next = async (): Promise<Multipart | undefined> => {
    try {
      const r = await parts.next();
      return r.done ? undefined : r.value;
    } catch (err) {
      throw fromFrameworkError(err) ?? err;
    }
  };
  const fields: Partial<UploadFields> = {};
  for (let part = await next(); part; part = await next()) {
    if (part.type === 'field') {
      takeField(fields, part);
      continue;
    }
    checkFileField(part);
    const late: Partial<UploadFields> = {};
    async function* files(first: MultipartFile): AsyncGenerator<UploadPart> {
      yield* mapErrors(first.file);
      for (let after = await next(); after; after = await next()) {
        if (after.type === 'field') {
          // The job's place in line and its topics are chosen when its first file begins (docs/job-priority.md).
          if (after.fieldname === 'priority') throw new GatewayError('INVALID_PRIORITY', 'send the field priority before the file');
          takeField(late, after);
          continue;
        }
        checkFileField(after);
        yield { nextFile: after.filename ?? '' };
        yield* mapErrors(after.file);
      }
    }
    return {
      fields,
      file: part,
      bytes: files(part),
      async trailing() {
        return late;
      },
    };
  }
  throw errors.noFile();
}

function checkFileField(part: MultipartFile) {
  if (part.fieldname !== 'file') {
    const name = part.fieldname.slice(0, 100);
    throw new GatewayError('UNKNOWN_FORM_FIELD', `the form has a file in the field "${name}": send the file in the field "file"`);
  }
}

function takeField(fields: Partial<UploadFields>, part: Extract<Multipart, { type: 'field' }>) {
  const take = Object.hasOwn(FIELDS, part.fieldname) ? FIELDS[part.fieldname] : undefined;
  if (!take) {
    throw new GatewayError(
      'UNKNOWN_FORM_FIELD',
      `the form has a field "${part.fieldname.slice(0, 100)}": send only ${Object.keys(FIELDS).join(', ')} and file`,
    );
  }
  if (part.valueTruncated) {
    throw new GatewayError('FIELD_TOO_LONG', `the field "${part.fieldname}" is longer than 4096 bytes: shorten it`);
  }
  take(fields, String(part.value));
}

async function* mapErrors(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* source;
  } catch (err) {
    throw fromFrameworkError(err) ?? err;
  }
}
