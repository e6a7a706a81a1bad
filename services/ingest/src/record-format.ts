/** How a text file holds its rows: delimited (CSV, TSV...), one JSON object a line, or one JSON array of objects. */
export type TextFormat = 'delimited' | 'ndjson' | 'json';

/** Leading text looked at for the first characters that tell the format. */
const LOOK_CHARS = 64 * 1024;

/**
 * The format of a text file, by its name where the name says (`.ndjson`, `.jsonl`: one object a
 * line; `.json`: an array, or one object a line when it starts with `{`), else by its first
 * characters: `{"` (or `{}`) starts NDJSON and `[{` (or `[]`) a JSON array, spaces and a
 * byte-order mark allowed between. A CSV header such as `[Name],[Email]` stays CSV.
 * Returns the text whole, what was looked at included.
 */
export async function textFormat(
  text: AsyncIterable<string>,
  fileName: string,
): Promise<{ format: TextFormat; text: AsyncIterable<string> }> {
  const it = text[Symbol.asyncIterator]();
  const head: string[] = [];
  let seen = '';
  for (let n = 0; n < LOOK_CHARS; ) {
    const next = await it.next();
    if (next.done) break;
    head.push(next.value);
    n += next.value.length;
    seen = (seen + next.value).replace(/^[\uFEFF\s]+/, '');
    // Two characters that are not space tell it, whatever comes after.
    if (/^\S\s*\S/.test(seen)) break;
  }
  const replay = (async function* () {
    yield* head;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  })();
  return { format: formatOf(fileName.toLowerCase(), seen), text: replay };
}

function formatOf(name: string, start: string): TextFormat {
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
  if (name.endsWith('.json')) return start.startsWith('{') ? 'ndjson' : 'json';
  if (/^\{\s*["}]/.test(start)) return 'ndjson';
  if (/^\[\s*[{\]]/.test(start)) return 'json';
  return 'delimited';
}
