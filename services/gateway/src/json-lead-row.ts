import { GatewayError } from './gateway-error.js';

/** What one lead sent as JSON may hold: a web form's fields, with room to spare. */
export const JSON_LEAD_LIMITS = { fields: 200, nameChars: 200, valueChars: 10_000 } as const;

/** A lead as a file's row: its field names are the header, its values the cells, in the order sent. */
export interface JsonLeadRow {
  header: string[];
  cells: string[];
}

const invalid = (why: string) => new GatewayError('INVALID_LEAD', `${why}; send one JSON object of field names to values (strings, numbers, booleans or null)`);

/** A value as a CSV cell would have it; null is an empty cell. */
function cellOf(name: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    // A phone number or postal code sent as a number; one too large to be either is no contact.
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  throw invalid(`field "${name.slice(0, 40)}" is ${Array.isArray(value) ? 'an array' : 'an object'}: give each value a field of its own (email, email2, ...)`);
}

/**
 * One lead sent as JSON (POST /v1/leads, gRPC SubmitLead) as the row of a file the pipeline
 * reads: names are headers, mapped as a file's are (canonical names, the tenant's synonyms, the
 * supplier's confirmed mapping), values are cells. Kept apart so that a stream of JSON records
 * can make its rows the same way. Refuses what no file could hold, naming the field.
 */
export function jsonLeadRow(lead: unknown): JsonLeadRow {
  if (lead === null || typeof lead !== 'object' || Array.isArray(lead)) throw invalid('the lead is not a JSON object');
  const entries = Object.entries(lead as Record<string, unknown>);
  if (entries.length > JSON_LEAD_LIMITS.fields) throw invalid(`the lead has ${entries.length} fields, more than ${JSON_LEAD_LIMITS.fields}`);
  const header: string[] = [];
  const cells: string[] = [];
  for (const [name, value] of entries) {
    if (name.trim() === '') throw invalid('a field has an empty name');
    if (name.length > JSON_LEAD_LIMITS.nameChars) throw invalid(`a field name is longer than ${JSON_LEAD_LIMITS.nameChars} characters ("${name.slice(0, 40)}...")`);
    const cell = cellOf(name, value);
    if (cell.length > JSON_LEAD_LIMITS.valueChars) throw invalid(`field "${name.slice(0, 40)}" is longer than ${JSON_LEAD_LIMITS.valueChars} characters`);
    header.push(name);
    cells.push(cell);
  }
  if (header.length === 0) throw invalid('the lead has no fields');
  return { header, cells };
}
