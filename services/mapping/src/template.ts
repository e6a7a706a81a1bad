import { csvRow } from '@leadflow/pipeline';
import { CANONICAL_FIELDS, type CanonicalField } from './field-names.js';

/**
 * The example row of the template: one made-up person whose every value reads as its field
 * (a valid email and phone, an address that parses, a name with an accent), so that the
 * template uploaded as it is maps each column to its own field and its row is accepted.
 * 555-01xx numbers and example.com are reserved for fiction.
 */
export const TEMPLATE_EXAMPLE: Readonly<Record<CanonicalField, string>> = {
  first_name: 'Renée',
  last_name: 'Dubois',
  full_name: 'Renée Dubois',
  email: 'renee.dubois@example.com',
  phone: '(201) 555-0123',
  company: 'Example Corp',
  domain: 'example.com',
  job_title: 'Head of Sales',
  street: '123 Main Street',
  address_line2: 'Suite 400',
  city: 'Springfield',
  state: 'IL',
  postal_code: '62701',
  country: 'US',
  industry: 'Software',
  source: 'Trade show',
  consent_date: '2026-03-01',
  consent_certificate_url: 'https://cert.example.com/0123abcd',
};

export const TEMPLATE_FILE_NAME = 'leadflow-template.csv';

/**
 * The CSV template an operator downloads (GET /v1/template.csv, gRPC GetTemplate): the canonical
 * headers and the example row, RFC 4180 with CRLF, in UTF-8 with a byte order mark. The mark is
 * for Excel, which most operators open it with: without one Excel reads a CSV in the machine's
 * ANSI code page (Windows-1252 in the West) and shows "Renée" as "RenÃ©e"; with one it reads
 * UTF-8, and recent versions save the file back as "CSV UTF-8", so names typed into it keep
 * their accents. Ingest reads files with the mark and without it alike.
 */
export function templateCsv(): Buffer {
  const text = csvRow(CANONICAL_FIELDS) + csvRow(CANONICAL_FIELDS.map((f) => TEMPLATE_EXAMPLE[f]));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}
