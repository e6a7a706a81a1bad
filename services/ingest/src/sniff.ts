/** What the first part of a file says about how to read it. */
export interface Sniffed {
  delimiter: string;
  /** 1-based line where the header row starts (title lines above it are skipped). */
  headerLine: number;
}

const CANDIDATES = [',', ';', '\t', '|'] as const;
const MAX_RECORDS = 60;

interface SampleRecord {
  fields: string[];
  line: number;
}

/** Splits sample text into records with `delimiter`, honouring quotes; drops a last record cut by the sample's end. */
function records(text: string, delimiter: string, complete: boolean): SampleRecord[] {
  const out: SampleRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length && out.length < MAX_RECORDS; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
        field += c;
      }
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      out.push({ fields, line: recordLine });
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else {
      field += c;
    }
  }
  if (complete && (field !== '' || fields.length > 0)) out.push({ fields: [...fields, field], line: recordLine });
  return out.filter((r) => r.fields.some((f) => f.trim() !== ''));
}

function mode(values: number[]): { value: number; share: number } {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = { value: 1, count: 0 };
  for (const [value, count] of counts) if (count > best.count || (count === best.count && value > best.value)) best = { value, count };
  return { value: best.value, share: values.length ? best.count / values.length : 0 };
}

/**
 * Finds the delimiter (comma, semicolon, tab or pipe: the one that splits the sample's rows
 * into the same number of fields most consistently) and the header row (the first row with
 * about as many fields as the data: title lines above it have fewer). An Excel `sep=;` first
 * line names the delimiter.
 * @param complete true when the sample is the whole file
 */
export function sniff(sample: string, complete: boolean): Sniffed {
  const text = sample.replace(/^\uFEFF/, '');
  const hint = /^sep=(.)\r?\n/i.exec(text);
  if (hint) return { delimiter: hint[1]!, headerLine: 2 };

  let best: { delimiter: string; width: number; score: number; rows: SampleRecord[] } | undefined;
  for (const delimiter of CANDIDATES) {
    const rows = records(text, delimiter, complete);
    const widths = rows.map((r) => r.fields.length);
    // Title lines sit above the header: judge consistency on the last rows of the sample.
    const tail = widths.slice(Math.floor(widths.length / 3));
    const { value: width, share } = mode(tail.length > 0 ? tail : widths);
    if (width < 2) continue;
    const score = share * Math.min(width, 20);
    if (!best || score > best.score) best = { delimiter, width, score, rows };
  }
  if (!best) return { delimiter: ',', headerLine: 1 };
  const header = best.rows.find((r) => r.fields.length >= best.width - 1 && r.fields.filter((f) => f.trim() !== '').length >= Math.min(2, best.width));
  return { delimiter: best.delimiter, headerLine: header?.line ?? 1 };
}
