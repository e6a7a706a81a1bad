// Windows-1252 code points for bytes 0x80-0x9F (the rest of the high half is Latin-1).
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

const cp1252 = (byte: number): number => (byte >= 0x80 && byte < 0xa0 ? CP1252_HIGH[byte - 0x80]! : byte);

/** Length of the UTF-8 sequence a lead byte starts, or 0 when it cannot start one. */
function sequenceLength(lead: number): number {
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/**
 * Decodes text that is UTF-8, Windows-1252, or a mix of both (files that suppliers glue
 * together from several exports): every well-formed UTF-8 sequence is read as UTF-8, every
 * other byte as Windows-1252. Pure Windows-1252 text rarely forms valid UTF-8 sequences
 * (an accented letter followed by two symbols from 0x80-0xBF), so both read correctly.
 * Incremental: a sequence split between two chunks is completed by the next one.
 */
export class MixedDecoder {
  private pending = new Uint8Array(0);
  /** Bytes read as Windows-1252 so far: 0 for clean UTF-8. */
  fallbackBytes = 0;

  decode(chunk: Uint8Array, final = false): string {
    const bytes = this.pending.length > 0 ? concat(this.pending, chunk) : chunk;
    this.pending = new Uint8Array(0);
    const out: number[] = [];
    let text = '';
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i]!;
      if (b < 0x80) {
        out.push(b);
        i++;
      } else {
        const n = sequenceLength(b);
        if (n > 0 && i + n > bytes.length && !final) {
          // Possibly a sequence that continues in the next chunk.
          if (isPrefixValid(bytes, i, bytes.length)) {
            this.pending = bytes.slice(i);
            break;
          }
        }
        const cp = n > 0 && i + n <= bytes.length ? codePoint(bytes, i, n) : -1;
        if (cp >= 0) {
          out.push(cp);
          i += n;
        } else {
          out.push(cp1252(b));
          this.fallbackBytes++;
          i++;
        }
      }
      if (out.length >= 8192) {
        text += String.fromCodePoint(...out);
        out.length = 0;
      }
    }
    return text + (out.length > 0 ? String.fromCodePoint(...out) : '');
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const c = new Uint8Array(a.length + b.length);
  c.set(a);
  c.set(b, a.length);
  return c;
}

const isContinuation = (b: number | undefined) => b !== undefined && b >= 0x80 && b <= 0xbf;

function isPrefixValid(bytes: Uint8Array, start: number, end: number): boolean {
  for (let j = start + 1; j < end; j++) if (!isContinuation(bytes[j])) return false;
  return true;
}

/** The code point of a well-formed sequence (no overlongs, surrogates or values past U+10FFFF), else -1. */
function codePoint(bytes: Uint8Array, i: number, n: number): number {
  const b0 = bytes[i]!;
  for (let j = 1; j < n; j++) if (!isContinuation(bytes[i + j])) return -1;
  const b1 = bytes[i + 1]!;
  if (n === 2) return ((b0 & 0x1f) << 6) | (b1 & 0x3f);
  if (n === 3) {
    if ((b0 === 0xe0 && b1 < 0xa0) || (b0 === 0xed && b1 > 0x9f)) return -1;
    return ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
  }
  if ((b0 === 0xf0 && b1 < 0x90) || (b0 === 0xf4 && b1 > 0x8f)) return -1;
  return ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f);
}
