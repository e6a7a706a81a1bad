import type { Redis, SqlClient } from '@leadflow/stores';

/** What a scan looks for: emails (any case), a number's national digits (any spelling), and exact spellings (for bytes). */
export interface Needles {
  emails: string[];
  digits: string[];
  /** Every spelling a test sent, looked for as bytes in bytea columns (protobuf keeps strings as they were). */
  spellings: string[];
}

/** A place a needle was found: a column of a row (the row as JSON text), or a Redis key. */
export interface Trace {
  table: string;
  column: string;
  row: string;
}

const TEXT_TYPES = ['text', 'character varying', 'character', 'jsonb', 'json', 'ARRAY', 'USER-DEFINED'];

/**
 * Every text, varchar, json(b), array and bytea column of every table of the database's schema,
 * each cast to text (bytea searched as bytes), for the needles: the rows that hold one, unless
 * the row's text holds one of `except` (another tenant's id, a job made on purpose after).
 */
export async function scanDatabase(db: SqlClient, needles: Needles, except: readonly string[]): Promise<Trace[]> {
  const { rows: columns } = await db.query<{ table_name: string; column_name: string; data_type: string }>(
    `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = current_schema() AND (c.data_type = ANY($1::text[]) OR c.data_type = 'bytea')
      ORDER BY c.table_name, c.column_name`,
    [TEXT_TYPES],
  );
  const traces: Trace[] = [];
  const emails = needles.emails.map((e) => e.toLowerCase());
  for (const { table_name: table, column_name: column, data_type: type } of columns) {
    const col = `t."${column}"`;
    const where =
      type === 'bytea'
        ? `${col} IS NOT NULL AND EXISTS (SELECT 1 FROM unnest($1::text[]) s WHERE position(convert_to(s, 'UTF8') in ${col}) > 0)`
        : `${col} IS NOT NULL AND (EXISTS (SELECT 1 FROM unnest($1::text[]) e WHERE strpos(lower(${col}::text), e) > 0)
            OR EXISTS (SELECT 1 FROM unnest($2::text[]) d WHERE strpos(regexp_replace(${col}::text, '[^0-9]', '', 'g'), d) > 0))`;
    const params = type === 'bytea' ? [[...needles.spellings, ...needles.emails]] : [emails, needles.digits];
    const { rows } = await db.query<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM "${table}" t WHERE ${where}`, params);
    for (const r of rows) if (!except.some((x) => r.row.includes(x))) traces.push({ table, column, row: r.row.slice(0, 400) });
  }
  return traces;
}

/** Every key of the Redis database and every value (strings, hashes, sets, lists, sorted sets, streams), for the needles. */
export async function scanRedis(redis: Redis, needles: Needles, except: readonly string[]): Promise<Trace[]> {
  const traces: Trace[] = [];
  const emails = needles.emails.map((e) => e.toLowerCase());
  const holds = (text: string) => {
    const lower = text.toLowerCase();
    if (emails.some((e) => lower.includes(e))) return true;
    const digits = text.replace(/[^0-9]/g, '');
    return needles.digits.some((d) => digits.includes(d)) || needles.spellings.some((s) => text.includes(s));
  };
  let cursor = '0';
  for (let round = 0; round < 100_000; round++) {
    const [next, keys] = await redis.scan(cursor, 'COUNT', '1000');
    for (const key of keys) {
      if (except.some((x) => key.includes(x))) continue;
      const type = await redis.type(key);
      let parts: Buffer[] = [];
      if (type === 'string') parts = [(await redis.getBuffer(key)) ?? Buffer.alloc(0)];
      else if (type === 'hash') parts = await redis.hgetallBuffer(key).then((h) => Object.entries(h).flatMap(([f, v]) => [Buffer.from(f), v]));
      else if (type === 'set') parts = await redis.smembersBuffer(key);
      else if (type === 'list') parts = await redis.lrangeBuffer(key, 0, -1);
      else if (type === 'zset') parts = await redis.zrangeBuffer(key, '0', '-1');
      else if (type === 'stream') parts = (await redis.xrange(key, '-', '+')).map(([id, fields]) => Buffer.from(`${id} ${fields.join(' ')}`));
      for (const text of [key, ...parts.map((p) => p.toString('latin1'))]) {
        if (!holds(text) || except.some((x) => text.includes(x))) continue;
        traces.push({ table: 'redis', column: key, row: text.slice(0, 400) });
        break;
      }
    }
    cursor = next;
    if (cursor === '0') break;
  }
  return traces;
}
