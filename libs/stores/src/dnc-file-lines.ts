/**
 * Reads the lines of a Do-Not-Call file as they stream in, at registry scale (docs/dnc-lists.md,
 * "Import"): a byte-level reader with no string per line on its common path, so a national
 * download of 258.5 million lines is read at several million lines a second.
 *
 * A line is one of:
 * - a number in any common spelling: `2015550123`, `(201) 555-0123`, `+1 201 555 0123`,
 *   `1-201-555-0123`, `201.555.0123`, or a number of another country with its `+` and country code;
 * - the FTC's flat file line, `201,5550123` (area code, comma, the seven digits);
 * - a line of a change list: the number (either form) and, in another comma-separated field, what
 *   happened to it: `A`/`add`/`added` or `D`/`del`/`delete`/`deleted` (any case), other fields
 *   (a date) ignored.
 * Blank lines and lines starting with `#` are skipped, and so is a first line without a digit (a header).
 */

/** What a line asks: add the number, or (change lists) delete it. */
export type LineOp = 'add' | 'delete';

export interface DncLineSink {
  /** A North American number: area code 200-999, subscriber number 0-9,999,999 (exchange and line). */
  nanp(areaCode: number, subscriber: number, op: LineOp): void;
  /** A number read by the slow path (`normalize`), in E.164. */
  other(e164: string, op: LineOp): void;
  /** A line that holds no number: its 1-based number in its file, and why. */
  bad(line: number, problem: string): void;
}

export interface DncLineOptions {
  /** Change lists: each line must say whether its number was added or deleted. */
  changes: boolean;
  /** Reads a spelling the fast path does not (letters, other countries): E.164 or undefined. */
  normalize: (text: string) => string | undefined;
}

const MAX_LINE = 256;
const NL = 10;
const CR = 13;
const COMMA = 44;
const HASH = 35;
const PLUS = 43;

const isDigit = (b: number) => b >= 48 && b <= 57;
/** A byte's digit value, or NOT_DIGIT: ORing a line's bytes through it tells at once whether all were digits. */
const NOT_DIGIT = 0x80;
const DIGIT = new Uint8Array(256).fill(NOT_DIGIT);
for (let d = 0; d < 10; d++) DIGIT[48 + d] = d;
/** Bytes that may stand between the digits of a number: space, tab, ( ) - . / and the BOM's bytes. */
const isPunct = (b: number) => b === 32 || b === 9 || b === 40 || b === 41 || b === 45 || b === 46 || b === 47 || b === 0xef || b === 0xbb || b === 0xbf || b === 34;

/** A stream of bytes → lines → numbers. `push` each chunk, then `end`. */
export class DncLineReader {
  private carry: Buffer | undefined;
  private lineNo = 0;
  private skipping = false;
  /** Lines that held a number. */
  numbers = 0;
  badLines = 0;

  constructor(
    private readonly sink: DncLineSink,
    private readonly opts: DncLineOptions,
  ) {}

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    let start = 0;
    const len = buf.length;
    // The fast path (not change lists): the FTC's `201,5550123` and a bare `2015550123`, read in place.
    const fast = !this.opts.changes;
    for (;;) {
      if (fast && !this.skipping && start + 10 < len) {
        const comma = buf[start + 3] === COMMA;
        const at = comma ? start + 11 : start + 10;
        const eol = at < len && buf[at] === NL ? at : at + 1 < len && buf[at] === CR && buf[at + 1] === NL ? at + 1 : -1;
        if (eol > 0) {
          const s = comma ? start + 4 : start + 3;
          const d0 = DIGIT[buf[start]!]!;
          const d1 = DIGIT[buf[start + 1]!]!;
          const d2 = DIGIT[buf[start + 2]!]!;
          const s0 = DIGIT[buf[s]!]!;
          const s1 = DIGIT[buf[s + 1]!]!;
          const s2 = DIGIT[buf[s + 2]!]!;
          const s3 = DIGIT[buf[s + 3]!]!;
          const s4 = DIGIT[buf[s + 4]!]!;
          const s5 = DIGIT[buf[s + 5]!]!;
          const s6 = DIGIT[buf[s + 6]!]!;
          if (((d0 | d1 | d2 | s0 | s1 | s2 | s3 | s4 | s5 | s6) & NOT_DIGIT) === 0 && d0 >= 2 && s0 >= 2) {
            this.lineNo++;
            this.numbers++;
            this.sink.nanp(d0 * 100 + d1 * 10 + d2, s0 * 1_000_000 + s1 * 100_000 + s2 * 10_000 + s3 * 1000 + s4 * 100 + s5 * 10 + s6, 'add');
            start = eol + 1;
            continue;
          }
        }
      }
      const nl = buf.indexOf(NL, start);
      if (nl < 0) break;
      this.line(buf, start, nl);
      start = nl + 1;
    }
    if (start < buf.length) {
      if (buf.length - start > MAX_LINE) {
        // A line this long is no number: report it once, skip to its end.
        if (!this.skipping) this.tooLong();
        this.skipping = true;
      } else this.carry = Buffer.from(buf.subarray(start));
    }
  }

  end(): void {
    if (this.carry && this.carry.length > 0) this.line(this.carry, 0, this.carry.length);
    else if (this.skipping) this.lineNo++;
    this.carry = undefined;
    this.skipping = false;
  }

  private tooLong(): void {
    this.badLines++;
    this.sink.bad(this.lineNo + 1, `longer than ${MAX_LINE} characters: not a number`);
  }

  private line(buf: Buffer, start: number, end: number): void {
    this.lineNo++;
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    if (end - start > MAX_LINE) return this.tooLong();
    if (end > start && buf[end - 1] === CR) end--;
    // Leading blanks and a BOM.
    while (start < end && (buf[start] === 32 || buf[start] === 9 || buf[start] === 0xef || buf[start] === 0xbb || buf[start] === 0xbf)) start++;
    if (start === end || buf[start] === HASH) return;

    // Field 1 and, if it holds exactly 3 digits, field 2: the FTC's `areacode,number`.
    let digits = 0;
    let value = 0;
    let plus = false;
    let clean = true;
    let i = start;
    let fields = 1;
    for (; i < end; i++) {
      const b = buf[i]!;
      if (isDigit(b)) {
        if (digits < 15) value = value * 10 + (b - 48);
        digits++;
      } else if (b === COMMA) break;
      else if (b === PLUS && digits === 0) plus = true;
      else if (!isPunct(b)) clean = false;
    }
    let fieldEnd = i;
    if (clean && digits === 3 && i < end) {
      // `201,5550123`: the second field is the number's other seven digits.
      let j = i + 1;
      let more = 0;
      let rest = 0;
      let ok = true;
      for (; j < end; j++) {
        const b = buf[j]!;
        if (isDigit(b)) {
          rest = rest * 10 + (b - 48);
          more++;
        } else if (b === COMMA) break;
        else if (!isPunct(b)) ok = false;
      }
      if (ok && more === 7) {
        value = value * 10_000_000 + rest;
        digits = 10;
        fieldEnd = j;
        fields = 2;
      }
    }

    let op: LineOp = 'add';
    if (this.opts.changes) {
      const found = this.changeOf(buf, fieldEnd, end);
      if (found === undefined) {
        if (digits === 0 && this.lineNo === 1) return;
        this.badLines++;
        return this.sink.bad(this.lineNo, 'a change list line says A (added) or D (deleted) after the number');
      }
      op = found;
    }

    if (clean && !plus && (digits === 10 || (digits === 11 && Math.floor(value / 1e10) === 1))) {
      const ten = value % 1e10;
      const areaCode = Math.floor(ten / 1e7);
      const subscriber = ten % 1e7;
      if (areaCode < 200 || subscriber < 2_000_000) {
        this.badLines++;
        return this.sink.bad(this.lineNo, 'not a North American number: its area code and exchange start with 2 to 9');
      }
      this.numbers++;
      return this.sink.nanp(areaCode, subscriber, op);
    }
    if (clean && plus && digits === 11 && Math.floor(value / 1e10) === 1) {
      const ten = value % 1e10;
      if (Math.floor(ten / 1e7) >= 200 && ten % 1e7 >= 2_000_000) {
        this.numbers++;
        return this.sink.nanp(Math.floor(ten / 1e7), ten % 1e7, op);
      }
    }
    if (digits === 0) {
      // A header (a first line without a digit) is skipped; any other line without one is a problem.
      if (this.lineNo === 1) return;
      this.badLines++;
      return this.sink.bad(this.lineNo, 'holds no number');
    }
    const text = buf.toString('utf8', start, fields === 2 ? fieldEnd : fieldEnd).replace(/^\uFEFF/, '').replace(/"/g, '').trim();
    const e164 = this.opts.normalize(fields === 2 ? text.replace(',', '') : text);
    if (!e164) {
      this.badLines++;
      return this.sink.bad(this.lineNo, 'not a phone number');
    }
    this.numbers++;
    const nanp = /^\+1(\d{3})(\d{7})$/.exec(e164);
    if (nanp) return this.sink.nanp(Number(nanp[1]), Number(nanp[2]), op);
    return this.sink.other(e164, op);
  }

  /** The change a line's other fields name; undefined when none does. */
  private changeOf(buf: Buffer, from: number, end: number): LineOp | undefined {
    let i = from;
    while (i < end) {
      if (buf[i] === COMMA) i++;
      let j = i;
      while (j < end && buf[j] !== COMMA) j++;
      const word = buf.toString('latin1', i, j).trim().replace(/"/g, '').toLowerCase();
      if (word === 'a' || word === 'add' || word === 'added' || word === 'addition') return 'add';
      if (word === 'd' || word === 'del' || word === 'delete' || word === 'deleted' || word === 'deletion' || word === 'r' || word === 'remove' || word === 'removed') return 'delete';
      i = j;
    }
    return undefined;
  }
}
