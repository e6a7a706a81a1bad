import { callRest } from './tenant-walk.js';
import { csvRowsByName } from './files.js';
import { waitUntil } from './wait-until.js';

/** A job of a test's upload once it ended: how its columns were mapped, and the leads it stored. */
export interface MappedUpload {
  jobId: string;
  /** Each source header's field and confidence, as GET /v1/jobs/{id}/mapping answers them. */
  columns: Record<string, { field: string; confidence: number }>;
  /** leads.csv of the job, by column name. */
  leads: Record<string, string>[];
}

async function okJson<T>(what: string, answer: ReturnType<typeof callRest>): Promise<T> {
  const a = await answer;
  if (a.status >= 300) throw new Error(`${what}: ${a.status} ${a.text.slice(0, 300)}`);
  return JSON.parse(a.text) as T;
}

/**
 * Uploads `file` (a CSV's bytes) over REST as the holder of `key`, waits until its job completed,
 * and answers its mapping and stored leads: what a partner checks after sending a file.
 */
export async function uploadMapped(
  base: string, key: string, file: string | Uint8Array, opts: { fileName?: string; timeoutMs?: number; supplier?: string } = {},
): Promise<MappedUpload> {
  const form = new FormData();
  if (opts.supplier !== undefined) form.append('supplier', opts.supplier);
  form.append('file', new Blob([file], { type: 'text/csv' }), opts.fileName ?? 'mapped.csv');
  const { id } = await okJson<{ id: string }>('upload', callRest(base, key, 'POST', '/v1/jobs', { form }));
  await waitUntil(
    `job ${id} to complete`,
    async () => {
      const { status } = await okJson<{ status: string }>('job', callRest(base, key, 'GET', `/v1/jobs/${id}`));
      if (status === 'failed') throw new Error(`job ${id} failed`);
      return status === 'completed' ? true : undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 120_000, intervalMs: 100 },
  );
  const mapping = await okJson<{ columns: { header: string; field: string; confidence: number }[] }>('mapping', callRest(base, key, 'GET', `/v1/jobs/${id}/mapping`));
  const leads = await callRest(base, key, 'GET', `/v1/jobs/${id}/exports/leads.csv`);
  return {
    jobId: id,
    columns: Object.fromEntries(mapping.columns.map((c) => [c.header, { field: c.field, confidence: c.confidence }])),
    leads: csvRowsByName(leads.text),
  };
}

let herkunftFiles = 0;

/**
 * A German supplier's one-lead file: "Herkunft" (origin) holds the lead's source, and is no
 * built-in name of any field, so only a tenant's synonym maps it. A new email each time, so that
 * no file's lead is a duplicate of an earlier one.
 */
export function herkunftFile(): { csv: string; email: string } {
  const email = `anna.${++herkunftFiles}.${process.pid}@example.org`;
  return { csv: `email,Herkunft\r\n${email},Messe Köln\r\n`, email };
}

let faxFiles = 0;

/**
 * A supplier's one-lead file whose "Phone" column holds a fax number and whose "Ref" holds the
 * lead's source: mapped by name alone, Phone is the lead's phone and Ref is extra; the supplier's
 * own mapping says otherwise. A new email each time, so that no file's lead is a duplicate.
 */
export function faxFile(): { csv: string; email: string } {
  const email = `fax.${++faxFiles}.${process.pid}@example.org`;
  return { csv: `Email,Phone,Ref\r\n${email},(201) 555-0123,Messe Köln\r\n`, email };
}

/** The mapping faxFile's supplier confirms: the fax is no phone of the lead's, Ref is its source. */
export const FAX_MAPPING = [{ header: 'Phone', field: 'extra' }, { header: 'Ref', field: 'source' }] as const;
