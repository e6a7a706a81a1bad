import type { AliasTable } from './alias-table.js';
import { matchHeaderName, type NameMatch } from './header-names.js';

/**
 * The name matches of a header, and of its last part when it is a dotted name: a stream of
 * records flattens `{"address": {"city": "Oslo"}}` to the column `address.city` and
 * `{"phones": ["…", "…"]}` to `phones.1`, `phones.2` (docs/record-streams.md), whose field the
 * key `city` or `phones` says, not the whole name (`address city` reads as a street). A match
 * of the last part counts a little below the same match of a whole name.
 */
export function headerMatches(header: string, aliases: AliasTable): NameMatch[] {
  // A table is never changed (a tenant's synonyms changed make a new one): its answers are kept with it.
  let known = remembered.get(aliases);
  if (!known) remembered.set(aliases, (known = new Map()));
  let matches = known.get(header);
  if (!matches) {
    if (known.size >= MAX_REMEMBERED) known.clear();
    known.set(header, (matches = matchesOf(header, aliases)));
  }
  return [...matches];
}

/**
 * The matches of the headers seen, by alias table: in `serve` each single lead is a job of its
 * own whose columns are mapped anew, and scoring a header's name against every alias is most of
 * that. The answer is a function of the header and the table alone.
 */
const remembered = new WeakMap<AliasTable, Map<string, readonly NameMatch[]>>();
/** Headers kept a table; then its answers are let go and made again. */
const MAX_REMEMBERED = 10_000;

function matchesOf(header: string, aliases: AliasTable): NameMatch[] {
  const matches = matchHeaderName(header, aliases);
  const leaf = leafOf(header);
  if (leaf === undefined) return matches;
  const best = new Map(matches.map((m) => [m.field, m]));
  for (const m of matchHeaderName(leaf, aliases)) {
    const score = m.score * 0.95;
    if ((best.get(m.field)?.score ?? 0) < score) best.set(m.field, { ...m, score, evidence: `key "${leaf}" of a nested record: ${m.evidence}` });
  }
  return [...best.values()];
}

/** `address.city` → `city`, `phones.2` → `phones`; undefined for a name without such parts (`Tel. No.` included). */
function leafOf(header: string): string | undefined {
  const parts = header.split('.');
  while (parts.length > 1 && /^\d+$/.test(parts.at(-1)!)) parts.pop();
  if (parts.length < 2) return undefined;
  const leaf = parts.at(-1)!;
  // Dotted keys have no spaces around their dots; an abbreviation's dot does ("Tel. No.").
  return /^[^\s.][^.]*[^\s.]$|^[^\s.]$/.test(leaf) && !/\s$/.test(parts.at(-2)!) ? leaf : undefined;
}
