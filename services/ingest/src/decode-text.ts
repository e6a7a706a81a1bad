import { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { createGunzip } from 'node:zlib';
import { LeadflowError } from '@leadflow/pipeline';
import { MixedDecoder } from './mixed-decoder.js';

export interface DecodeOptions {
  /** Largest text accepted after decompression, in bytes; a gzip bomb stops here. @default 4 GiB */
  maxBytes?: number;
}

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

const SNIFF_BYTES = 4096;

/** Reads the first chunk, then hands back the whole stream unchanged. */
export async function peek(source: AsyncIterable<Uint8Array>): Promise<{ head: Uint8Array | undefined; all: AsyncIterable<Uint8Array> }> {
  const it = source[Symbol.asyncIterator]();
  let first = await it.next();
  while (!first.done && first.value.length === 0) first = await it.next();
  if (first.done) return { head: undefined, all: (async function* () {})() };
  const head = first.value;
  return {
    head,
    all: (async function* () {
      yield head;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    })(),
  };
}

async function* gunzip(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const inflate = Readable.from(source).pipe(createGunzip());
  try {
    for await (const chunk of inflate as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    throw new LeadflowError('FILE_CORRUPT', `the gzip data is damaged (${(err as Error).message})`, false);
  }
}

async function* limited(source: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > maxBytes) throw new LeadflowError('FILE_TOO_LARGE', `more than ${maxBytes} bytes once decompressed`, false);
    yield chunk;
  }
}

/**
 * UTF-16 by its byte-order mark, or, without one, by the zero bytes that mostly-ASCII text
 * leaves on every other byte while the bytes between are printable.
 */
export function detectEncoding(head: Uint8Array): Encoding | 'binary' {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  const sample = head.subarray(0, SNIFF_BYTES - (Math.min(head.length, SNIFF_BYTES) % 2));
  if (!sample.includes(0)) return 'utf-8';
  const pairs = sample.length / 2;
  const printable = (b: number) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f) || b >= 0xa0;
  const looksLike = (zeroAt: 0 | 1) => {
    if (pairs < 4) return false;
    let zeros = 0;
    let text = 0;
    for (let i = 0; i < sample.length; i += 2) {
      if (sample[i + zeroAt] === 0) zeros++;
      if (printable(sample[i + 1 - zeroAt]!)) text++;
    }
    return zeros >= pairs * 0.7 && text >= pairs * 0.95;
  };
  if (looksLike(1)) return 'utf-16le';
  if (looksLike(0)) return 'utf-16be';
  return 'binary';
}

const SIGNATURES: { bytes: number[]; what: string }[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], what: 'an old Office document (.xls or .doc)' },
];

const startsWith = (head: Uint8Array, bytes: number[]) => bytes.every((b, i) => head[i] === b);

/**
 * The upload's bytes as text, as a stream: gzip is inflated (up to `maxBytes`); UTF-16 is
 * read by its byte-order mark or byte pattern; anything else as UTF-8 with a per-byte
 * fallback to Windows-1252 (see MixedDecoder). Content that is not text is named by what its
 * bytes say it is. Throws LeadflowError with a job failure code.
 */
export async function* decodeText(source: AsyncIterable<Uint8Array>, opts: DecodeOptions = {}): AsyncGenerator<string> {
  const maxBytes = opts.maxBytes ?? 4 * 1024 ** 3;
  let { head, all } = await peek(source);
  if (!head) throw new LeadflowError('FILE_EMPTY', 'no bytes', false);
  if (head[0] === 0x1f && head[1] === 0x8b) {
    ({ head, all } = await peek(gunzip(all)));
    if (!head) throw new LeadflowError('FILE_EMPTY', 'the gzip file holds no bytes', false);
  }
  all = limited(all, maxBytes);
  const signature = SIGNATURES.find((s) => startsWith(head!, s.bytes));
  if (signature) throw new LeadflowError('FILE_BINARY', `its bytes say it is ${signature.what}`, false);
  const encoding = detectEncoding(head);
  if (encoding === 'binary') throw new LeadflowError('FILE_BINARY', 'binary content (NUL bytes) at the start of the file', false);

  if (encoding === 'utf-8') {
    const decoder = new MixedDecoder();
    for await (const chunk of all) {
      const text = decoder.decode(chunk);
      if (text) yield text;
    }
    const tail = decoder.decode(new Uint8Array(0), true);
    if (tail) yield tail;
    return;
  }
  const decoder = new TextDecoder(encoding, { fatal: false, ignoreBOM: false });
  for await (const chunk of all) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}
