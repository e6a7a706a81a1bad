import type { ReceivedRequest } from './webhook-receiver.js';

/** One `lead.created` request of a `record` endpoint as the receiver got it (docs/delivery.md). */
export interface LeadArrival {
  webhookId: string;
  jobId: string;
  leadId: string;
  at: number;
}

/** The `lead.created` requests of `requests` (other event types left out), in arrival order. */
export function leadArrivals(requests: readonly ReceivedRequest[]): LeadArrival[] {
  const out: LeadArrival[] = [];
  for (const r of requests) {
    const body = JSON.parse(r.body) as { type?: string; data?: { jobId?: string; id?: string } };
    if (body.type !== 'lead.created') continue;
    out.push({ webhookId: String(r.headers['webhook-id']), jobId: String(body.data?.jobId), leadId: String(body.data?.id), at: r.at });
  }
  return out;
}

/** How many of `arrivals` came in [from, to) (Date.now() times). */
export function arrivedBetween(arrivals: readonly { at: number }[], from: number, to: number): number {
  return arrivals.filter((a) => a.at >= from && a.at < to).length;
}

/**
 * What "exactly once per webhook-id" asks of a receiver's arrivals: the leads that came under
 * more than one webhook-id, and the webhook-ids that came with more than one lead. Repeats of one
 * webhook-id with its lead (a send again after a crash) are allowed: the receiver drops them.
 */
export function deliveryOnceFaults(arrivals: readonly LeadArrival[]): { leadsUnderSeveralIds: string[]; idsWithSeveralLeads: string[] } {
  const idsOfLead = new Map<string, Set<string>>();
  const leadsOfId = new Map<string, Set<string>>();
  for (const a of arrivals) {
    idsOfLead.set(a.leadId, (idsOfLead.get(a.leadId) ?? new Set()).add(a.webhookId));
    leadsOfId.set(a.webhookId, (leadsOfId.get(a.webhookId) ?? new Set()).add(a.leadId));
  }
  return {
    leadsUnderSeveralIds: [...idsOfLead].filter(([, ids]) => ids.size > 1).map(([lead]) => lead),
    idsWithSeveralLeads: [...leadsOfId].filter(([, leads]) => leads.size > 1).map(([id]) => id),
  };
}
