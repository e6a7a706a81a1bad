/** What the first part of a file says about how to read it. */
export interface Sniffed {
  delimiter: string;
  /** 1-based line where the header row starts (title lines above it are skipped). */
  headerLine: number;
  /** The first line end outside quotes (`\r\n`, `\n` or `\r`); undefined when the sample has none. */
  lineEnd?: string;
}

const CANDIDATES = [',', ';', '\t', '|'] as const;
const MAX_RECORDS = 60;

interface SampleRecord {
  /** Fields in the record. */
  width: number;
  /** Fields with more than white space. */
  filled: number;
  line: number;
}

/** What `String.prototype.trim` removes: a field of only these is blank. */
const isSpace = (c: string) => c <= ' ' || (c > '~' && /\s/.test(c));

/**
 * Splits sample text into records with `delimiter`, honouring quotes; drops a last record cut
 * by the sample's end. Only the shape of each record is kept (how many fields, how many filled),
 * never the text: one pass, constant work a character, whatever the quotes.
 */
function records(text: string, delimiter: string, complete: boolean): { rows: SampleRecord[]; lineEnd?: string } {
  const out: SampleRecord[] = [];
  let lineEnd: string | undefined;
  let width = 0;
  let filled = 0;
  // The field so far: nothing at all, only white space, or more.
  let fieldEmpty = true;
  let fieldBlank = true;
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  const endField = () => {
    width++;
    if (!fieldBlank) filled++;
    fieldEmpty = fieldBlank = true;
  };
  const addChar = (c: string) => {
    fieldEmpty = false;
    if (fieldBlank && !isSpace(c)) fieldBlank = false;
  };
  for (let i = 0; i < text.length && out.length < MAX_RECORDS; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          addChar(c);
          i++;
        } else quoted = false;
      } else {
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
        addChar(c);
      }
    } else if (c === '"' && fieldBlank) {
      quoted = true;
    } else if (c === delimiter) {
      endField();
    } else if (c === '\n' || c === '\r') {
      const crlf = c === '\r' && text[i + 1] === '\n';
      lineEnd ??= crlf ? '\r\n' : c;
      if (crlf) i++;
      endField();
      if (filled > 0) out.push({ width, filled, line: recordLine });
      width = filled = 0;
      line++;
      recordLine = line;
    } else {
      addChar(c);
    }
  }
  if (complete && (!fieldEmpty || width > 0)) {
    endField();
    if (filled > 0) out.push({ width, filled, line: recordLine });
  }
  return { rows: out, lineEnd };
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
  if (hint) return { delimiter: hint[1]!, headerLine: 2, lineEnd: records(text, hint[1]!, complete).lineEnd };

  let best: { delimiter: string; width: number; score: number; rows: SampleRecord[]; lineEnd?: string } | undefined;
  for (const delimiter of CANDIDATES) {
    const { rows, lineEnd } = records(text, delimiter, complete);
    const widths = rows.map((r) => r.width);
    // Title lines sit above the header: judge consistency on the last rows of the sample.
    const tail = widths.slice(Math.floor(widths.length / 3));
    const { value: width, share } = mode(tail.length > 0 ? tail : widths);
    if (width < 2) continue;
    const score = share * Math.min(width, 20);
    if (!best || score > best.score) best = { delimiter, width, score, rows, lineEnd };
  }
  if (!best) return { delimiter: ',', headerLine: 1, lineEnd: records(text, ',', complete).lineEnd };
  const header = best.rows.find((r) => r.width >= best.width - 1 && r.filled >= Math.min(2, best.width));
  return { delimiter: best.delimiter, headerLine: header?.line ?? 1, lineEnd: best.lineEnd };
}
