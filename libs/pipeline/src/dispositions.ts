import { Disposition, type LeadRow } from '@leadflow/proto';

export const DISPOSITION_NAMES = {
  [Disposition.DISPOSITION_ACCEPTED]: 'accepted',
  [Disposition.DISPOSITION_INVALID]: 'invalid',
  [Disposition.DISPOSITION_DUPLICATE]: 'duplicate',
  [Disposition.DISPOSITION_SUPPRESSED]: 'suppressed',
} as const;

export type DispositionName = (typeof DISPOSITION_NAMES)[keyof typeof DISPOSITION_NAMES];
export type DispositionCounts = Record<DispositionName, number>;

export function dispositionName(d: Disposition): DispositionName {
  const name = (DISPOSITION_NAMES as Record<number, DispositionName>)[d];
  if (!name) throw new Error(`row has no disposition (${d}): a stage did not mark it`);
  return name;
}

/** Still ACCEPTED: later stages work on it. Excluded rows are skipped but kept in the batch. */
export function isOpen(row: LeadRow): boolean {
  return row.disposition === Disposition.DISPOSITION_ACCEPTED;
}

export function countDispositions(rows: readonly LeadRow[]): DispositionCounts {
  const counts: DispositionCounts = { accepted: 0, invalid: 0, duplicate: 0, suppressed: 0 };
  for (const row of rows) counts[dispositionName(row.disposition)]++;
  return counts;
}
