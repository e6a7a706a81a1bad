/**
 * The Do-Not-Call registry. North American numbers are kept as one bitmap per area code:
 * bit N of area code A is +1 A N (N the 7-digit subscriber number), 1.25 MB an area code
 * whatever the registry's size. Other countries' numbers are kept as a set.
 */
export interface DncRegistry {
  /** Adds E.164 numbers; returns how many were not on the list before. */
  add(numbers: readonly string[]): Promise<number>;
  /** For each E.164 number, whether it is on the list. */
  contains(numbers: readonly string[]): Promise<boolean[]>;
}

/** `+1AAANNNNNNN` → area code and subscriber number; undefined for a number outside the NANP. */
export function splitNanp(e164: string): { areaCode: string; subscriber: number } | undefined {
  const m = /^\+1(\d{3})(\d{7})$/.exec(e164);
  return m ? { areaCode: m[1]!, subscriber: Number(m[2]) } : undefined;
}

const BITMAP_BYTES = 10_000_000 / 8;

/** In-process registry for standalone mode: area-code bitmaps allocated when first used. */
export function createMemoryDncRegistry(): DncRegistry {
  const bitmaps = new Map<string, Uint8Array>();
  const others = new Set<string>();
  const has = (n: string): boolean => {
    const nanp = splitNanp(n);
    if (!nanp) return others.has(n);
    const bitmap = bitmaps.get(nanp.areaCode);
    return bitmap !== undefined && (bitmap[nanp.subscriber >> 3]! & (0x80 >> (nanp.subscriber & 7))) !== 0;
  };
  return {
    async add(numbers) {
      let added = 0;
      for (const n of numbers) {
        if (has(n)) continue;
        added++;
        const nanp = splitNanp(n);
        if (!nanp) {
          others.add(n);
          continue;
        }
        let bitmap = bitmaps.get(nanp.areaCode);
        if (!bitmap) bitmaps.set(nanp.areaCode, (bitmap = new Uint8Array(BITMAP_BYTES)));
        bitmap[nanp.subscriber >> 3]! |= 0x80 >> (nanp.subscriber & 7);
      }
      return added;
    },
    async contains(numbers) {
      return numbers.map(has);
    },
  };
}
