import { LeadflowError } from '@leadflow/pipeline';

/**
 * Short strings decoded lately, by index: a string out of the buffer costs a call into C++
 * (0.3-1 us, against 0.04 us from an array), and the names, states, cities and companies of a
 * sheet repeat. Slots are picked by index, at most 64 characters each: 2 MiB at most. On a
 * generated 100,000-row sheet 35% of lookups hit.
 */
const CACHE_SLOTS = 16384;
const CACHE_MAX_CHARS = 64;

/**
 * A workbook's table of shared strings, which its cells name by index, held in at most
 * `maxBytes`: every string's UTF-8 bytes one after the other in one buffer, and where each
 * ends in a Uint32Array. As JS strings the table took several times its text (a header and a
 * slot a string, and slices that keep the whole parsed chunk alive); a crafted table of
 * millions of strings would take the heap. Past `maxBytes` the workbook fails FILE_TOO_LARGE.
 * The buffer grows by doubling: while it grows, the old one and the new take 1.5 times that.
 */
export class SharedStrings {
  private bytes: Buffer = Buffer.alloc(0);
  private used = 0;
  private ends = new Uint32Array(0);
  private count = 0;
  private readonly cachedIndex = new Int32Array(CACHE_SLOTS).fill(-1);
  private readonly cached: string[] = new Array<string>(CACHE_SLOTS);

  constructor(private readonly maxBytes: number) {}

  get size(): number {
    return this.count;
  }

  add(text: string): void {
    const length = Buffer.byteLength(text);
    // Four bytes of the index per string count too: a table of empty strings is not free.
    if (this.used + length + 4 * (this.count + 1) > this.maxBytes) {
      throw new LeadflowError(
        'FILE_TOO_LARGE',
        `the workbook's shared strings take more than ${this.maxBytes} bytes: save the sheet as CSV, or split the workbook`,
        false,
      );
    }
    if (this.used + length > this.bytes.length) this.bytes = grow(this.bytes, this.used, this.used + length, this.maxBytes);
    if (this.count === this.ends.length) {
      const ends = new Uint32Array(Math.max(1024, this.ends.length * 2));
      ends.set(this.ends);
      this.ends = ends;
    }
    this.used += this.bytes.write(text, this.used);
    this.ends[this.count++] = this.used;
  }

  /** The string at `index`, or undefined when the table has none there. */
  get(index: number): string | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return undefined;
    const slot = index % CACHE_SLOTS;
    if (this.cachedIndex[slot] === index) return this.cached[slot];
    const text = this.bytes.toString('utf8', index === 0 ? 0 : this.ends[index - 1], this.ends[index]);
    if (text.length <= CACHE_MAX_CHARS) {
      this.cachedIndex[slot] = index;
      this.cached[slot] = text;
    }
    return text;
  }
}

/** A copy of `buffer`'s first `used` bytes in one of at least `needed` bytes: twice as large, at most `max`. */
function grow(buffer: Buffer, used: number, needed: number, max: number): Buffer {
  const next = Buffer.allocUnsafe(Math.min(max, Math.max(needed, 64 * 1024, buffer.length * 2)));
  buffer.copy(next, 0, 0, used);
  return next;
}
