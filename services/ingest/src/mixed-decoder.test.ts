import { describe, expect, it } from 'vitest';
import { MixedDecoder } from './mixed-decoder.js';

const cp1252 = (s: string) =>
  Uint8Array.from([...s].map((c) => ({ '€': 0x80, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96 })[c] ?? c.charCodeAt(0)));

describe('MixedDecoder', () => {
  it('reads UTF-8 split at any byte, accents, euro signs and emoji intact', () => {
    const text = 'Zoë Brontë, 5 €, Straße, São Paulo, 東京, 😀\n';
    const bytes = Buffer.from(text);
    for (let cut = 1; cut < bytes.length; cut++) {
      const d = new MixedDecoder();
      expect(d.decode(bytes.subarray(0, cut)) + d.decode(bytes.subarray(cut), true)).toBe(text);
      expect(d.fallbackBytes).toBe(0);
    }
  });

  it('reads Windows-1252: é, €, smart quotes and dashes survive', () => {
    const d = new MixedDecoder();
    expect(d.decode(cp1252('Café “Le Mans” – 5 € ’til 9'), true)).toBe('Café “Le Mans” – 5 € ’til 9');
    expect(d.fallbackBytes).toBeGreaterThan(0);
  });

  it('reads a file whose lines mix both encodings', () => {
    const d = new MixedDecoder();
    const bytes = Buffer.concat([Buffer.from('José,utf8\n'), Buffer.from(cp1252('Renée,cp1252\n')), Buffer.from('Zoë,utf8\n')]);
    expect(d.decode(bytes, true)).toBe('José,utf8\nRenée,cp1252\nZoë,utf8\n');
  });
});
