import type { AlternateContact } from '@leadflow/proto';
import { emailKey } from '@leadflow/pipeline';
import { normalizeEmail, parsePhone, type ParsedPhone } from './normalize.js';

/** A non-empty cell of one of a row's email or phone columns. */
export interface ContactCell {
  value: string;
  header: string;
}

/** What a row's email or phone cells give: the lead's value, its alternates, and the cells (or parts) that were not valid. */
export interface PickedContacts<P> {
  /** The first valid value, with the cell it came from as the supplier wrote it. */
  first?: P & { raw: string };
  /** The other valid values in column order, each once (by its email key, or its E.164 number). */
  alternates: AlternateContact[];
  invalid: ContactCell[];
}

// Several values in one cell: "ann@x.com; ann.lee@y.org", "(201) 555-0123 | (201) 555-0199".
// A cell with two @ holds two emails, which never hold a comma, semicolon or space; phone numbers
// can hold spaces and slashes ("030 / 1234567"), so only a semicolon or bar separates two of them.
const splitEmails = (cell: string) => ((cell.match(/@/g)?.length ?? 0) > 1 ? cell.split(/[;,\s]+/) : [cell]);
const splitPhones = (cell: string) => cell.split(/\s*[;|]\s*/);

function pick<P extends { value: string }>(
  cells: readonly ContactCell[],
  split: (cell: string) => string[],
  parse: (part: string) => P | undefined,
  key: (p: P) => string,
): PickedContacts<P> {
  const picked: PickedContacts<P> = { alternates: [], invalid: [] };
  const seen = new Set<string>();
  for (const cell of cells) {
    for (const part of split(cell.value).filter(Boolean)) {
      const parsed = parse(part);
      if (!parsed) {
        picked.invalid.push({ value: part, header: cell.header });
        continue;
      }
      const k = key(parsed);
      if (seen.has(k)) continue;
      seen.add(k);
      if (picked.first) picked.alternates.push({ value: parsed.value, header: cell.header });
      else picked.first = { ...parsed, raw: cell.value };
    }
  }
  return picked;
}

/** A row's emails: the first valid one is the lead's, the others (another mailbox by their email key) its alternates. */
export function pickEmails(cells: readonly ContactCell[]): PickedContacts<{ value: string; key: string }> {
  return pick(
    cells,
    splitEmails,
    (part) => {
      const value = normalizeEmail(part);
      return value ? { value, key: emailKey(value) } : undefined;
    },
    (e) => e.key,
  );
}

/** A row's phone numbers, read in `region` when written without a country code: the first valid one is the lead's. */
export function pickPhones(cells: readonly ContactCell[], region: string): PickedContacts<ParsedPhone & { value: string }> {
  return pick(
    cells,
    splitPhones,
    (part) => {
      const phone = parsePhone(part, region);
      return phone ? { ...phone, value: phone.e164 } : undefined;
    },
    (p) => p.value,
  );
}
