import type { DncListHead, SuppressionKind } from './dnc-lists.js';
import type { DncFilePart } from './dnc-file-source.js';
import type { SqlClient } from './sql-client.js';
import { DncLoadError, type DncLoadProblem, type DncLoadRequest, type DncLoadResult } from './sql-dnc-load.js';

/**
 * Loads a tenant's suppression list (docs/dnc-lists.md, "Suppression lists"): lines of
 * `entry[,expiry][,A|D]`. The entry is an email address (`suppression:email`), an email domain
 * (`suppression:domain`, `@example.com` or `example.com`) or a phone number in any spelling
 * (`suppression:phone`); the expiry a date (`2027-06-30`, the end of that day UTC) or a time
 * (ISO 8601) after which the entry no longer suppresses; `A`/`add` or `D`/`delete` as in a change
 * list. A tenant's list is small: the entries are read whole, then written in one transaction.
 */

const MAX_PROBLEMS = 20;
const BAD_SHARE = 0.01;
const ROWS_AT_ONCE = 10_000;
const HEAD = `list_id::text AS id, kind, owner, version::float8 AS version, generation::float8 AS generation,
  coalesce(to_char(snapshot_date, 'YYYY-MM-DD'), '') AS "snapshotDate"`;

const EMAIL = /^[^\s@,;]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/;
const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** An entry as the list keeps it, or undefined when the text is none of its kind. */
export function suppressionEntry(kind: SuppressionKind, text: string, normalize: (t: string) => string | undefined): string | undefined {
  const t = text.trim().replace(/^"|"$/g, '').trim();
  if (kind === 'suppression:phone') return normalize(t);
  const lower = t.toLowerCase();
  if (kind === 'suppression:email') return EMAIL.test(lower) ? lower : undefined;
  const domain = lower.replace(/^@/, '');
  return DOMAIN.test(domain) ? domain : undefined;
}

/** A field read as an expiry: epoch ms, or undefined when it is not a date or time. */
function expiryOf(field: string): number | undefined {
  const t = field.trim();
  if (DAY.test(t)) {
    const at = Date.parse(`${t}T00:00:00Z`);
    return Number.isNaN(at) ? undefined : at + 86_400_000;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(t)) return undefined;
  const at = Date.parse(t);
  return Number.isNaN(at) ? undefined : at;
}

interface Entry {
  op: 'add' | 'delete';
  /** Epoch ms; null for none. */
  expires: number | null;
}

/** Reads every part's lines: the last word on an entry wins. */
async function readEntries(req: DncLoadRequest, parts: AsyncIterable<DncFilePart>, changes: boolean) {
  const kind = req.kind as SuppressionKind;
  const entries = new Map<string, Entry>();
  const problems: DncLoadProblem[] = [];
  let numbers = 0;
  let badLines = 0;
  for await (const part of parts) {
    let carry = '';
    let lineNo = 0;
    const decoder = new TextDecoder();
    const take = (line: string) => {
      lineNo++;
      const text = line.replace(/\r$/, '');
      if (text.trim() === '' || text.trimStart().startsWith('#')) return;
      const fields = text.split(/[,;\t]/);
      const value = suppressionEntry(kind, fields[0]!, req.normalize);
      let op: Entry['op'] | undefined = changes ? undefined : 'add';
      let expires: number | null = null;
      let bad: string | undefined;
      for (const f of fields.slice(1)) {
        const w = f.trim().toLowerCase();
        if (w === '') continue;
        if (['a', 'add', 'added'].includes(w)) op = 'add';
        else if (['d', 'del', 'delete', 'deleted'].includes(w)) op = 'delete';
        else if (expiryOf(f) !== undefined) expires = expiryOf(f)!;
        else bad ??= `"${f.trim().slice(0, 40)}" is neither an expiry (YYYY-MM-DD or an ISO time) nor A/D`;
      }
      if (value === undefined) {
        // A first line that is no entry is a header.
        if (lineNo === 1) return;
        bad = `no ${kind.slice(12)} in "${fields[0]!.trim().slice(0, 60)}"`;
      } else if (!op) bad ??= 'a change list line must say A (added) or D (deleted)';
      if (bad !== undefined) {
        badLines++;
        if (problems.length < MAX_PROBLEMS) problems.push({ file: part.name, line: lineNo, problem: bad });
        return;
      }
      numbers++;
      entries.delete(value!);
      entries.set(value!, { op: op!, expires });
    };
    for await (const chunk of part.chunks) {
      const lines = (carry + decoder.decode(chunk, { stream: true })).split('\n');
      carry = lines.pop()!;
      for (const l of lines) take(l);
    }
    carry += decoder.decode();
    if (carry !== '') take(carry);
  }
  return { entries, numbers, badLines, problems };
}

async function writeRows(tx: SqlClient, id: string, gen: number | string, rows: [string, Entry][]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += ROWS_AT_ONCE) {
    const part = rows.slice(i, i + ROWS_AT_ONCE);
    const { rows: out } = await tx.query<{ inserted: boolean }>(
      `INSERT INTO dnc_list_numbers (list_id, generation, phone, expires_at)
       SELECT $1, $2, p, CASE WHEN e IS NULL THEN NULL ELSE to_timestamp(e / 1000.0) END FROM unnest($3::text[], $4::float8[]) AS x(p, e)
       ON CONFLICT (list_id, generation, phone) DO UPDATE SET expires_at = EXCLUDED.expires_at
       RETURNING (xmax = 0) AS inserted`,
      [id, gen, part.map(([p]) => p), part.map(([, e]) => e.expires)],
    );
    inserted += out.filter((r) => r.inserted).length;
  }
  return inserted;
}

/** A suppression list's load: replaced whole (a new generation switched to in one commit), added to, or changed. */
export async function loadSuppressionList(db: SqlClient, req: DncLoadRequest, parts: AsyncIterable<DncFilePart>): Promise<DncLoadResult> {
  const read = await readEntries(req, parts, req.mode === 'changes');
  if (read.numbers === 0) throw new DncLoadError('DNC_IMPORT_INVALID', `no ${req.kind.slice(12)} was read: the list is unchanged`, read.problems);
  if (req.mode === 'replace' && read.badLines > Math.max(MAX_PROBLEMS, read.numbers * BAD_SHARE)) {
    throw new DncLoadError(
      'DNC_IMPORT_INVALID',
      `${read.badLines} of ${read.numbers + read.badLines} lines hold no ${req.kind.slice(12)} (more than 1%, and more than 20): the list in force is kept; is this the right file?`,
      read.problems,
    );
  }
  return db.transaction(async (tx) => {
    const head = (await tx.query<DncListHead>(`SELECT ${HEAD} FROM dnc_lists WHERE kind = $1 AND owner = $2 FOR UPDATE`, [req.kind, req.owner])).rows[0]!;
    const before = (await tx.query<{ size: number }>(`SELECT size::float8 AS size FROM dnc_lists WHERE list_id = $1`, [head.id])).rows[0]!.size;
    let added = 0;
    let removed = 0;
    let gen: number | string = head.generation;
    let size: number;
    if (req.mode === 'replace') {
      gen = (await tx.query<{ gen: string }>(`SELECT nextval('dnc_list_generations')::text AS gen`)).rows[0]!.gen;
      added = await writeRows(tx, head.id, gen, [...read.entries].filter(([, e]) => e.op === 'add'));
      removed = before;
      size = added;
    } else {
      const adds = [...read.entries].filter(([, e]) => e.op === 'add');
      const dels = [...read.entries].filter(([, e]) => e.op === 'delete').map(([p]) => p);
      added = await writeRows(tx, head.id, gen, adds);
      if (dels.length > 0) {
        removed = (await tx.query(`DELETE FROM dnc_list_numbers WHERE list_id = $1 AND generation = $2 AND phone = ANY($3::text[])`, [head.id, gen, dels])).rowCount;
      }
      size = before + added - removed;
    }
    // Every load is a version: an entry's new expiry changes what is suppressed even when nothing was added.
    const next = (
      await tx.query<DncListHead>(
        `UPDATE dnc_lists SET generation = $2, version = version + 1, size = $3, changed_at = now(), snapshot_date = coalesce($4::date, current_date),
           source = CASE WHEN $5 = 'replace' THEN $6 ELSE source END
         WHERE list_id = $1 RETURNING ${HEAD}`,
        [head.id, gen, size, req.snapshotDate ?? null, req.mode, req.source],
      )
    ).rows[0]!;
    await tx.query(
      `INSERT INTO dnc_list_changes (list_id, version, change, numbers, removed, source, snapshot_date) VALUES ($1, $2, $3, $4, $5, $6, $7::date)`,
      [head.id, next.version, req.mode, added, removed, req.source, next.snapshotDate],
    );
    if (req.mode === 'replace') await tx.query(`DELETE FROM dnc_list_numbers WHERE list_id = $1 AND generation <> $2`, [head.id, gen]);
    return { head: next, numbers: read.numbers, added, removed, size, badLines: read.badLines, problems: read.problems };
  });
}
