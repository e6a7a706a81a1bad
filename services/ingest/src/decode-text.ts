import { TextDecoder } from 'node:util';
import { LeadflowError } from '@leadflow/pipeline';

const NUL_SCAN_BYTES = 8192;

/**
 * Bytes to text, as a stream: UTF-8 (with or without BOM) or UTF-16 with a BOM. A file with
 * NUL bytes and no UTF-16 BOM is binary; a byte sequence that is not UTF-8 is named by its
 * offset. Throws LeadflowError with a job failure code.
 */
export async function* decodeText(source: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  let offset = 0;
  let first = true;
  for await (const chunk of source) {
    if (chunk.length === 0) continue;
    if (first) {
      first = false;
      decoder = new TextDecoder(detectEncoding(chunk), { fatal: true, ignoreBOM: false });
      if (decoder.encoding === 'utf-8' && chunk.subarray(0, NUL_SCAN_BYTES).includes(0)) {
        throw new LeadflowError('FILE_BINARY', 'binary content (NUL bytes) at the start of the file', false);
      }
    }
    try {
      const text = decoder!.decode(chunk, { stream: true });
      if (text) yield text;
    } catch {
      throw new LeadflowError('FILE_NOT_UTF8', `invalid ${decoder!.encoding} after byte ${offset}`, false);
    }
    offset += chunk.length;
  }
  if (first) throw new LeadflowError('FILE_EMPTY', 'no bytes', false);
  try {
    const tail = decoder!.decode();
    if (tail) yield tail;
  } catch {
    throw new LeadflowError('FILE_NOT_UTF8', 'the file ends in the middle of a character', false);
  }
}

function detectEncoding(head: Uint8Array): 'utf-8' | 'utf-16le' | 'utf-16be' {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}
