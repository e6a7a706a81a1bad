import { reason } from '@leadflow/pipeline';
import type { Reason } from '@leadflow/proto';
import type { RecordText } from './json-texts.js';

/** A record of a stream as a row: its cells under the header as it stands, or why it has none. */
export interface StreamRow {
  cells: string[];
  refused?: Reason;
}

/**
 * The columns of a stream of JSON records, and each record's cells in them. Every key is a
 * column, named as the supplier wrote it; the header is the union of the keys in the order
 * they first appear, so it only grows, at its end: a column keeps its place in every later row.
 * Nested objects are flattened with dotted names (`address.city`), arrays by 1-based position
 * (`phones.1`, `phones.2`); null is an empty cell; numbers and true/false are written as JSON
 * writes them. A record that is not an object, not JSON, too long, or that would take the header
 * past its limit, is a row without cells and with the reason (docs/record-streams.md).
 */
export class RecordColumns {
  readonly header: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly limits: { maxColumns: number; maxRecordChars: number }) {}

  read(record: RecordText): StreamRow {
    if (record.text === undefined) {
      return refused(reason('RECORD_TOO_LONG', '', `line ${record.line}: the limit is ${this.limits.maxRecordChars} characters`));
    }
    let value: unknown;
    try {
      value = JSON.parse(record.text);
    } catch (err) {
      return refused(reason('NOT_JSON', '', `line ${record.line}${whereBroken(err as Error)}`));
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return refused(reason('NOT_AN_OBJECT', '', `line ${record.line}: ${kindOf(value)}`));
    }
    const flat = new Map<string, string>();
    flatten(value as Record<string, unknown>, '', flat);
    const added = [...flat.keys()].filter((name) => !this.index.has(name));
    if (this.header.length + added.length > this.limits.maxColumns) {
      return refused(
        reason('TOO_MANY_KEYS', '', `line ${record.line}: ${added.length} new keys would make ${this.header.length + added.length} columns, the limit is ${this.limits.maxColumns}`),
      );
    }
    for (const name of added) {
      this.index.set(name, this.header.length);
      // A blank key is named by its place, as a blank header cell is (distinctHeaders).
      this.header.push(name === '' ? `column ${this.header.length + 1}` : name);
    }
    const cells = new Array<string>(this.header.length).fill('');
    for (const [name, cell] of flat) cells[this.index.get(name)!] = cell;
    return { cells };
  }
}

const refused = (why: Reason): StreamRow => ({ cells: [], refused: why });

function flatten(object: Record<string, unknown>, prefix: string, into: Map<string, string>) {
  for (const [key, value] of Object.entries(object)) {
    const name = prefix + key.trim();
    if (value === null) into.set(name, '');
    else if (Array.isArray(value)) flatten(Object.fromEntries(value.map((v, i) => [String(i + 1), v])), `${name}.`, into);
    else if (typeof value === 'object') flatten(value as Record<string, unknown>, `${name}.`, into);
    else into.set(name, String(value));
  }
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array, not an object';
  if (value === null) return 'null, not an object';
  return `a ${typeof value}, not an object`;
}

/**
 * Where the parser stopped, when its message says: never the message itself, which quotes the
 * record's text (personal data, kept out of reasons as out of logs).
 */
function whereBroken(err: Error): string {
  const at = /at position (\d+)/.exec(err.message);
  return at ? `, character ${Number(at[1]) + 1}: not valid JSON` : ': not valid JSON';
}
