import type { LeadRow } from '@leadflow/proto';

/** One delivery of the same person to the tenant: the supplier ('' for none named) and when it was stored (ms). */
export interface PriorDelivery {
  leadId: string;
  supplier: string;
  time: number;
}

/** The default window in which another supplier's delivery makes a lead non-exclusive. */
export const DEFAULT_EXCLUSIVITY_DAYS = 90;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Sets a row's `exclusivity`: `non-exclusive` when another supplier than the row's own delivered
 * the same person since `since` (ms), with `exclusivity_detail` naming each such supplier once and
 * the day of its latest delivery, newest first ("acme 2026-11-20; beta 2026-10-01"); else
 * `exclusive`. The same supplier delivering again does not count.
 */
export function markExclusivity(row: LeadRow, supplier: string, deliveries: Iterable<PriorDelivery>, since: number): void {
  const latest = new Map<string, number>();
  for (const d of deliveries) {
    if (d.supplier === supplier || d.time < since) continue;
    if ((latest.get(d.supplier) ?? -Infinity) < d.time) latest.set(d.supplier, d.time);
  }
  const lead = row.lead!;
  if (latest.size === 0) {
    lead.exclusivity = 'exclusive';
    lead.exclusivityDetail = '';
    return;
  }
  lead.exclusivity = 'non-exclusive';
  lead.exclusivityDetail = [...latest]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([s, t]) => `${s || '(no supplier)'} ${day(t)}`)
    .join('; ');
}
