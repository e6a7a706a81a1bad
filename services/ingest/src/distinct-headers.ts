/**
 * A header whose names are all different, so that every column keeps its values wherever
 * columns are looked up by name (mapping, extra fields, exports). The first column of a name
 * keeps it; a later one gets `name (2)`, `name (3)`... (the first number no other column
 * has); an empty name becomes `column N` by its 1-based position, as persistence names cells
 * past the header. Headers already distinct come back unchanged.
 */
export function distinctHeaders(header: readonly string[]): string[] {
  const named = header.map((h, i) => (h === '' ? `column ${i + 1}` : h));
  const taken = new Set(named);
  const kept = new Set<string>();
  // The next number to try for a name: each name's numbers are tried once, whatever the repeats.
  const next = new Map<string, number>();
  return named.map((name) => {
    if (!kept.has(name)) {
      kept.add(name);
      return name;
    }
    let n = next.get(name) ?? 2;
    while (taken.has(`${name} (${n})`)) n++;
    next.set(name, n + 1);
    const renamed = `${name} (${n})`;
    taken.add(renamed);
    kept.add(renamed);
    return renamed;
  });
}
