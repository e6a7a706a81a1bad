import type { MatchRecord } from './record.js';

/** A lead a duplicate is a duplicate of. */
export interface MatchTarget {
  leadId: string;
  jobId: string;
  rowNumber: number;
}

/** A row or stored lead in the index, with what the matcher compares. */
export interface IndexEntry {
  /** `jobId:rowNumber`. */
  owner: string;
  leadId: string;
  jobId: string;
  rowNumber: number;
  /** When it was first seen (ms since the epoch), for the look-back window. */
  time: number;
  record: MatchRecord;
  /** Set when the row turned out a duplicate: the lead it is a copy of, and when that was first seen. */
  duplicateOf?: MatchTarget & { time: number };
}

export interface IndexRow {
  entry: IndexEntry;
  /** Its blocking keys (see blockingKeys). */
  blocks: readonly string[];
}

/**
 * The blocking index of a tenant's leads: for each blocking key, the leads that have it, so a
 * new row is compared with a handful of candidates whatever the number of stored leads.
 *
 * `enter` takes a batch's rows in order, atomically as a whole: each row gets the entries that
 * entered any of its blocks before it (the newest `perBlock` of each block; of those the `most`
 * that share the most blocks with it), then joins its blocks. Every entry has a place in one order per tenant; a row that enters again (a
 * redelivered batch) keeps its first place and sees only what came before it, so two rows that
 * race in two replicas are always compared one way round, and the later one is the duplicate.
 */
export interface CandidateIndex {
  enter(tenantId: string, rows: readonly IndexRow[], perBlock: number, most: number): Promise<IndexEntry[][]>;
  /**
   * Records that entered rows turned out duplicates (each entry's `duplicateOf`). They stay in
   * their blocks: a later copy may resemble one of them more than the lead they copy, and is
   * then a duplicate of that lead.
   */
  markDuplicates(tenantId: string, entries: readonly IndexEntry[]): Promise<void>;
  /** Whether the tenant's index holds its stored leads (false after Redis was emptied, or in a new process). */
  isBuilt(tenantId: string): Promise<boolean>;
  markBuilt(tenantId: string): Promise<void>;
  /** Takes the right to rebuild a tenant's index; false while another process holds it. */
  lockRebuild(tenantId: string): Promise<boolean>;
  unlockRebuild(tenantId: string): Promise<void>;
  /** Forgets one tenant's index, or every tenant's (it is rebuilt from PostgreSQL when next used). */
  clear(tenantId?: string): Promise<void>;
}

/**
 * Blocks beyond this many entries lose their oldest: a key that common tells nothing. A new row
 * reads only the newest `perBlock` of each block; the rest is there for rows that enter again (a
 * redelivered batch sees what came before it).
 */
export const MAX_BLOCK_SIZE = 50;

/**
 * One tenant's places and blocks as `enterInOrder` works on them: the whole index (in memory), or
 * the part a batch touches (read from the database, written back after).
 */
export interface PlaceBook<Block = string> {
  /** Owner → its place in the tenant's order (1, 2, ...): a row entering again keeps it. */
  places: Map<string, number>;
  /** Block → the places in it, oldest first, at most MAX_BLOCK_SIZE. */
  blocks: Map<Block, number[]>;
  /** The last place given. */
  last: number;
}

export interface Entered<Block = string> {
  /** Per row, the places of its candidates: the `most` sharing the most blocks with it, in the order met among equals. */
  found: number[][];
  /** The rows that took a new place (by their index in the batch); the others entered before. */
  fresh: number[];
  /** The blocks that changed. */
  changed: Set<Block>;
}

// Per row: how many blocks each candidate shares with it, and the candidates in the order met.
const shared = new Map<number, number>();
const met: number[] = [];

/**
 * The one algorithm of `enter` (see CandidateIndex), for every implementation that can hold a
 * batch's blocks in memory: each row in order takes its place, reads the newest `perBlock` places
 * before its own in each of its blocks (newest first), and joins its blocks when it is new.
 */
export function enterInOrder<Block>(
  book: PlaceBook<Block>,
  rows: readonly { owner: string; blocks: readonly Block[] }[],
  perBlock: number,
  most: number,
): Entered<Block> {
  const out: Entered<Block> = { found: [], fresh: [], changed: new Set() };
  rows.forEach(({ owner, blocks }, r) => {
    let place = book.places.get(owner);
    const fresh = place === undefined;
    if (place === undefined) {
      place = ++book.last;
      book.places.set(owner, place);
      out.fresh.push(r);
    }
    shared.clear();
    met.length = 0;
    let top = 0;
    for (const key of blocks) {
      let places = book.blocks.get(key);
      // Newest first, only what came before the row.
      for (let i = (places?.length ?? 0) - 1, taken = 0; i >= 0 && taken < perBlock; i--) {
        const other = places![i]!;
        if (other >= place) continue;
        taken++;
        const count = (shared.get(other) ?? 0) + 1;
        if (count === 1) met.push(other);
        shared.set(other, count);
        if (count > top) top = count;
      }
      if (fresh) {
        if (!places) book.blocks.set(key, (places = []));
        places.push(place);
        if (places.length > MAX_BLOCK_SIZE) places.shift();
        out.changed.add(key);
      }
    }
    // The candidates sharing the most blocks, in the order met among equals: at most `most`.
    const found: number[] = [];
    for (let count = top; count > 0 && found.length < most; count--) {
      for (const other of met) {
        if (found.length >= most) break;
        if (shared.get(other) === count) found.push(other);
      }
    }
    out.found.push(found);
  });
  return out;
}

/** In-process index for standalone tests and the benchmark: everything in the JS heap. */
export function createMemoryCandidateIndex(): CandidateIndex {
  interface Tenant extends PlaceBook {
    /** The entry at each place (index 0 unused). */
    entries: IndexEntry[];
    built: boolean;
    locked: boolean;
  }
  const tenants = new Map<string, Tenant>();
  const tenant = (id: string): Tenant => {
    let t = tenants.get(id);
    if (!t) tenants.set(id, (t = { places: new Map(), blocks: new Map(), last: 0, entries: [undefined as unknown as IndexEntry], built: false, locked: false }));
    return t;
  };
  return {
    async enter(tenantId, rows, perBlock, most) {
      const t = tenant(tenantId);
      const entered = enterInOrder(t, rows.map((r) => ({ owner: r.entry.owner, blocks: r.blocks })), perBlock, most);
      for (const r of entered.fresh) t.entries.push(rows[r]!.entry);
      return entered.found.map((places) => places.map((p) => t.entries[p]!));
    },
    async markDuplicates(tenantId, entries) {
      const t = tenant(tenantId);
      for (const entry of entries) {
        const place = t.places.get(entry.owner);
        if (place !== undefined) t.entries[place] = entry;
      }
    },
    async isBuilt(tenantId) {
      return tenant(tenantId).built;
    },
    async markBuilt(tenantId) {
      tenant(tenantId).built = true;
    },
    async lockRebuild(tenantId) {
      const t = tenant(tenantId);
      if (t.locked) return false;
      t.locked = true;
      return true;
    },
    async unlockRebuild(tenantId) {
      tenant(tenantId).locked = false;
    },
    async clear(tenantId) {
      if (tenantId === undefined) tenants.clear();
      else tenants.delete(tenantId);
    },
  };
}
