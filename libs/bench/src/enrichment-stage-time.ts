import { existsSync, readFileSync } from 'node:fs';
import { createEnrichmentStage } from '@leadflow/enrichment';
import { emptyLead, LEAD_COLUMNS } from '@leadflow/pipeline';
import { Disposition, LeadBatch, LeadRow, type Lead } from '@leadflow/proto';

/** The records of a CSV text: quoted fields, doubled quotes, line breaks inside quotes. */
export function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '"') cell += ch;
      else if (text[i + 1] === '"') (cell += '"'), i++;
      else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') record.push(cell), (cell = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || record.length > 0) records.push([...record, cell]);
  return records;
}

/** The columns a lead has before enrichment (what mapping gives it); the enrichment fields are left empty. */
const INPUT_COLUMNS = new Set([
  'first_name', 'last_name', 'full_name', 'email', 'phone', 'phone_extension', 'phone_type', 'company', 'domain', 'job_title',
  'street', 'address_line2', 'city', 'state', 'postal_code', 'country', 'exclusivity',
]);

export interface StageTime {
  leads: number;
  /** CPU µs (user + system of this process) a lead: the best and the median of the runs. */
  best: number;
  median: number;
  runs: number;
}

/**
 * The enrichment stage's cost a lead on the leads a `leadflow run` wrote (leads.csv): each lead
 * rebuilt from its input columns and enriched again in this process, in batches of 500 as the
 * run does, by a new stage each run (its caches empty at the start), after a warm-up of the
 * JIT. `leadflow run` does not report the time of each stage, so this is the enrichment stage's
 * share measured apart, on the run's own leads; undefined without leads.
 */
export async function enrichmentStageTime(leadsCsv: string, runs = 3): Promise<StageTime | undefined> {
  if (!existsSync(leadsCsv)) return undefined;
  const [header, ...records] = csvRecords(readFileSync(leadsCsv, 'utf8'));
  if (!header || records.length === 0) return undefined;
  const keys = new Map<string, string>(LEAD_COLUMNS.map(([column, key]) => [column, key]));
  const columns = header.map((name) => (INPUT_COLUMNS.has(name) ? keys.get(name) : undefined));
  const leads: Lead[] = records.map((cells) => {
    const lead: Lead = { ...emptyLead(), original: {} };
    columns.forEach((key, i) => {
      if (key) (lead as unknown as Record<string, string>)[key] = cells[i] ?? '';
    });
    return lead;
  });
  const times: number[] = [];
  // Not timed: the first leads once, so that the JIT and the lists loaded on first use (150,000 domains) are ready.
  const rowsOf = (some: readonly Lead[]) =>
    some.map((l) => ({ ...LeadRow.fromPartial({}), disposition: Disposition.DISPOSITION_ACCEPTED, lead: { ...l, original: {} } }));
  await createEnrichmentStage({})({ ...LeadBatch.fromPartial({}), rows: rowsOf(leads.slice(0, 2000)) });
  for (let r = 0; r < runs; r++) {
    const stage = createEnrichmentStage({});
    const rows = rowsOf(leads);
    const c0 = process.cpuUsage();
    for (let i = 0; i < rows.length; i += 500) await stage({ ...LeadBatch.fromPartial({}), rows: rows.slice(i, i + 500) });
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / leads.length);
  }
  times.sort((a, b) => a - b);
  return { leads: leads.length, best: times[0]!, median: times[times.length >> 1]!, runs };
}
