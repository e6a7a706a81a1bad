import { LeadflowError } from '@leadflow/pipeline';

/** One record's text as the stream held it. */
export interface RecordText {
  /** The record's JSON text; undefined when it was longer than the limit (not held, skipped to its end). */
  text: string | undefined;
  /** 1-based line of the stream it starts on. */
  line: number;
}

const NEWLINE = 0x0a;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The text a record has gathered, or its length alone once it is past the limit. */
class Gathered {
  private parts: string[] = [];
  private length = 0;
  tooLong = false;

  constructor(private readonly maxChars: number) {}

  add(part: string) {
    if (this.tooLong || part === '') return;
    this.length += part.length;
    if (this.length > this.maxChars) {
      this.tooLong = true;
      this.parts = [];
    } else this.parts.push(part);
  }

  take(): string | undefined {
    const text = this.tooLong ? undefined : this.parts.join('');
    this.parts = [];
    this.length = 0;
    this.tooLong = false;
    return text;
  }
}

/**
 * The records of newline-delimited JSON (NDJSON, JSON Lines): one a line, blank lines skipped,
 * a line end `\n` or `\r\n`. A JSON text holds no raw line end, so a broken line never reaches
 * into the next: each line is its own record, readable or not.
 */
export async function* ndjsonTexts(text: AsyncIterable<string>, maxChars: number): AsyncGenerator<RecordText> {
  const gathered = new Gathered(maxChars);
  let line = 1;
  let blank = true;
  const done = (): RecordText | undefined => {
    const record = gathered.take();
    const wasBlank = blank;
    blank = true;
    // A record too long to hold is no blank line: it is read as a row (and refused).
    return wasBlank && record !== undefined ? undefined : { text: record, line };
  };
  let first = true;
  for await (let chunk of text) {
    if (first && chunk.length > 0) {
      chunk = chunk.replace(/^\uFEFF/, '');
      first = false;
    }
    let from = 0;
    for (let at = chunk.indexOf('\n'); ; at = chunk.indexOf('\n', from)) {
      const end = at < 0 ? chunk.length : at;
      const part = chunk.slice(from, end);
      if (blank && part.trim() !== '') blank = false;
      gathered.add(part);
      if (at < 0) break;
      const record = done();
      if (record) yield record;
      line++;
      from = at + 1;
    }
  }
  const record = done();
  if (record) yield record;
}

/**
 * The elements of one JSON array, each as its own text, read as the stream arrives: the array
 * is never held whole. An element ends at a comma or the closing bracket outside strings and
 * brackets; what lies between is the element's text, parsed by the caller (a malformed element
 * is one refused record). An element whose brackets never balance takes the rest of the array
 * with it: the array is then not closed, and the job fails after the records before it.
 */
export async function* arrayTexts(text: AsyncIterable<string>, maxChars: number): AsyncGenerator<RecordText> {
  const gathered = new Gathered(maxChars);
  /** before the `[`; before an element; in one; after the `]`. */
  let state = 'open' as 'open' | 'before' | 'in' | 'closed';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  let startLine = 1;
  let elements = 0;
  let first = true;
  for await (let chunk of text) {
    if (first && chunk.length > 0) {
      chunk = chunk.replace(/^\uFEFF/, '');
      first = false;
    }
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === NEWLINE) line++;
      if (state === 'in') {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 0x5c /* \ */) escaped = true;
          else if (c === 0x22 /* " */) inString = false;
          continue;
        }
        if (c === 0x22) inString = true;
        else if (c === 0x7b /* { */ || c === 0x5b /* [ */) depth++;
        else if ((c === 0x7d /* } */ || c === 0x5d) && depth > 0) depth--;
        else if (depth === 0 && (c === 0x2c /* , */ || c === 0x5d /* ] */)) {
          gathered.add(chunk.slice(start, i));
          const record = gathered.take();
          elements++;
          yield { text: record?.trim(), line: startLine };
          state = c === 0x5d ? 'closed' : 'before';
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (state === 'open') {
        if (c !== 0x5b) throw new LeadflowError('JSON_MALFORMED', `line ${line}: the stream must start with [`, false);
        state = 'before';
      } else if (state === 'before') {
        // `]` right after `[` or after a last comma closes the array; a comma here is an empty element.
        if (c === 0x5d) state = 'closed';
        else if (c === 0x2c) {
          elements++;
          yield { text: '', line };
        } else {
          state = 'in';
          start = i;
          startLine = line;
          depth = 0;
          inString = false;
          escaped = false;
          // Read this character again, as the element's first (it is no line end: spaces were skipped).
          i--;
        }
      } else {
        throw new LeadflowError('JSON_MALFORMED', `line ${line}: text after the array's closing ], ${elements} records read`, false);
      }
    }
    if (state === 'in') gathered.add(chunk.slice(start));
  }
  if (state === 'open') return;
  if (state !== 'closed') {
    throw new LeadflowError(
      'JSON_MALFORMED',
      `the array is never closed with ]: check the brackets and quotes of the record from line ${startLine}, ${elements} records read`,
      false,
    );
  }
}
