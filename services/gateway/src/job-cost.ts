import { divideRounded, moneyOf, type Money } from './money.js';
import type { Price } from './supplier-store.js';

/** What a job's leads cost (docs/suppliers.md): each null when its supplier had no price at upload. */
export interface JobCostView {
  /** The supplier's price per lead in the file, as it was when the job was uploaded. */
  costPerLead: Money | null;
  /** costPerLead × rows: the supplier bills every row of its file, accepted or not. */
  totalCost: Money | null;
  /** totalCost / accepted, to the millionth; null while no lead is accepted. */
  costPerAcceptedLead: Money | null;
}

/** What `rows` rows cost in all, and per accepted lead. */
export function costOf(totalMicros: bigint, accepted: number, currency: string): { totalCost: Money; costPerAcceptedLead: Money | null } {
  return {
    totalCost: moneyOf(totalMicros, currency),
    costPerAcceptedLead: accepted > 0 ? moneyOf(divideRounded(totalMicros, BigInt(accepted)), currency) : null,
  };
}

/** A job's cost from the price it was uploaded at and its counts so far. */
export function jobCost(price: Price | null, counts: { rows: number; accepted: number }): JobCostView {
  if (!price) return { costPerLead: null, totalCost: null, costPerAcceptedLead: null };
  return { costPerLead: moneyOf(price.micros, price.currency), ...costOf(price.micros * BigInt(counts.rows), counts.accepted, price.currency) };
}
