/**
 * The Do-Not-Call lists a number is screened against: the national list, one list shared by
 * every tenant (a registry's extract, loaded by `leadflow run --dnc FILE`), and each tenant's
 * internal list (the numbers its own people were asked not to call, added over the API), which
 * no other tenant's leads are screened against.
 */
export type DncList = 'national' | 'internal';

/** The lists in the order they are screened, named and audited. */
export const DNC_LISTS: readonly DncList[] = ['national', 'internal'];

export interface DncRegistry {
  /**
   * Adds E.164 numbers to the national list, or to `list.tenantId`'s internal list; returns how
   * many were not on that list before.
   */
  add(numbers: readonly string[], list?: { tenantId: string }): Promise<number>;
  /**
   * For each E.164 number, the lists it is on, in the order of DNC_LISTS: the national list and
   * `tenantId`'s internal list, never another tenant's. Empty for a number on neither.
   */
  listsOf(numbers: readonly string[], tenantId: string): Promise<DncList[][]>;
}

/** `+1AAANNNNNNN` → area code and subscriber number; undefined for a number outside the NANP. */
export function splitNanp(e164: string): { areaCode: string; subscriber: number } | undefined {
  const m = /^\+1(\d{3})(\d{7})$/.exec(e164);
  return m ? { areaCode: m[1]!, subscriber: Number(m[2]) } : undefined;
}

/** The lists of a number from whether it is on the national list and on the tenant's internal one. */
export const listsFrom = (national: boolean, internal: boolean): DncList[] => [
  ...(national ? (['national'] as const) : []),
  ...(internal ? (['internal'] as const) : []),
];

const BITMAP_BYTES = 10_000_000 / 8;

/**
 * In-process registry for standalone mode. The national list is kept as one bitmap per area code
 * (bit N of area code A is +1 A N, N the 7-digit subscriber number: 1.25 MB an area code whatever
 * the list's size), other countries' numbers as a set. A tenant's internal list is a set of its
 * numbers: such a list is small, and a bitmap would cost 1.25 MB for its first number in each
 * area code.
 */
export function createMemoryDncRegistry(): DncRegistry {
  const bitmaps = new Map<string, Uint8Array>();
  const others = new Set<string>();
  const internal = new Map<string, Set<string>>();
  const onNational = (n: string): boolean => {
    const nanp = splitNanp(n);
    if (!nanp) return others.has(n);
    const bitmap = bitmaps.get(nanp.areaCode);
    return bitmap !== undefined && (bitmap[nanp.subscriber >> 3]! & (0x80 >> (nanp.subscriber & 7))) !== 0;
  };
  const addNational = (n: string): void => {
    const nanp = splitNanp(n);
    if (!nanp) {
      others.add(n);
      return;
    }
    let bitmap = bitmaps.get(nanp.areaCode);
    if (!bitmap) bitmaps.set(nanp.areaCode, (bitmap = new Uint8Array(BITMAP_BYTES)));
    bitmap[nanp.subscriber >> 3]! |= 0x80 >> (nanp.subscriber & 7);
  };
  return {
    async add(numbers, list) {
      if (list) {
        let own = internal.get(list.tenantId);
        if (!own) internal.set(list.tenantId, (own = new Set()));
        const before = own.size;
        for (const n of numbers) own.add(n);
        return own.size - before;
      }
      let added = 0;
      for (const n of numbers) {
        if (onNational(n)) continue;
        addNational(n);
        added++;
      }
      return added;
    },
    async listsOf(numbers, tenantId) {
      const own = internal.get(tenantId);
      return numbers.map((n) => listsFrom(onNational(n), own?.has(n) ?? false));
    },
  };
}
