/** An area code's bitmap as read whole from Redis (1.25 MB); null when the list holds no number of that area code. */
export type AreaBitmap = Buffer | null;

/** What an absent bitmap (an area code the list has no number in) counts for. */
const EMPTY_COST = 64;

/**
 * A dnc replica's read-through copy of the area-code bitmaps of the shared lists it screens
 * against (docs/dnc-lists.md, "Screening from memory"), bounded in bytes, least recently used
 * evicted first. Each list's bitmaps are held at one `stamp` (the Redis generation and version
 * they were read at): a bitmap of another stamp is never answered, and storing one of a new stamp
 * drops every bitmap of the old, so a version swapped in is never mixed with the one before.
 */
export interface DncBitmapCache {
  readonly maxBytes: number;
  /** The stamp the list's bitmaps are held at; undefined when none is held. */
  stampOf(listId: string): string | undefined;
  /** The bitmap of an area code at `stamp` (and marks it used); undefined when not held. */
  get(listId: string, stamp: string, areaCode: number): AreaBitmap | undefined;
  /** Holds a bitmap read at `stamp`, dropping the list's bitmaps of any other stamp, then evicting down to `maxBytes`. */
  put(listId: string, stamp: string, areaCode: number, bitmap: AreaBitmap): void;
  /** Bytes held now. */
  bytes(): number;
  /** Bitmaps held now. */
  size(): number;
}

/** A bitmap cache of at most `maxBytes`; 0 holds nothing (every look-up goes to Redis). */
export function createDncBitmapCache(maxBytes: number): DncBitmapCache {
  interface Entry {
    bitmap: AreaBitmap;
    /** When it was last used (a counter): the least recently used is evicted first. */
    used: number;
  }
  /** Each list's stamp and its bitmaps by area code (an array of 1,000: a look-up is an index, not a hash of a key). */
  const lists = new Map<string, { stamp: string; areas: (Entry | undefined)[] }>();
  let held = 0;
  let count = 0;
  let clock = 0;
  const cost = (b: AreaBitmap) => (b ? b.length : EMPTY_COST);

  /** Drops the least recently used bitmap of any list (a scan: only when a bitmap is stored over the bound). */
  function evictOne(): boolean {
    let oldest: { areas: (Entry | undefined)[]; at: number; used: number } | undefined;
    for (const l of lists.values()) {
      l.areas.forEach((e, at) => {
        if (e && (!oldest || e.used < oldest.used)) oldest = { areas: l.areas, at, used: e.used };
      });
    }
    if (!oldest) return false;
    held -= cost(oldest.areas[oldest.at]!.bitmap);
    oldest.areas[oldest.at] = undefined;
    count--;
    return true;
  }

  return {
    maxBytes,
    stampOf: (listId) => lists.get(listId)?.stamp,
    get(listId, stamp, areaCode) {
      const l = lists.get(listId);
      if (!l || l.stamp !== stamp) return undefined;
      const e = l.areas[areaCode];
      if (!e) return undefined;
      e.used = ++clock;
      return e.bitmap;
    },
    put(listId, stamp, areaCode, bitmap) {
      if (cost(bitmap) > maxBytes || areaCode < 0 || areaCode >= 1000) return;
      let l = lists.get(listId);
      if (l && l.stamp !== stamp) {
        // Another version: none of the list's bitmaps of the one before is answered again.
        for (const e of l.areas) {
          if (!e) continue;
          held -= cost(e.bitmap);
          count--;
        }
        l = undefined;
      }
      if (!l) lists.set(listId, (l = { stamp, areas: new Array<Entry | undefined>(1000) }));
      const old = l.areas[areaCode];
      if (old) {
        held -= cost(old.bitmap);
        count--;
      }
      l.areas[areaCode] = { bitmap, used: ++clock };
      held += cost(bitmap);
      count++;
      while (held > maxBytes && evictOne());
    },
    bytes: () => held,
    size: () => count,
  };
}
