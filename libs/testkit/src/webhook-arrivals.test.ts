import { describe, expect, it } from 'vitest';
import { arrivedBetween, deliveryOnceFaults, leadArrivals } from './webhook-arrivals.js';
import type { ReceivedRequest } from './webhook-receiver.js';

const request = (id: string, type: string, lead: string, at: number): ReceivedRequest => ({
  method: 'POST', path: '/hook', headers: { 'webhook-id': id }, body: JSON.stringify({ type, data: { jobId: 'j1', id: lead } }), at,
});

describe('webhook arrivals', () => {
  it('reads lead.created requests only, and counts them in a half-open window', () => {
    const arrivals = leadArrivals([request('msg_a', 'lead.created', 'l1', 100), request('msg_c', 'job.completed', '', 150), request('msg_b', 'lead.created', 'l2', 200)]);
    expect(arrivals).toEqual([{ webhookId: 'msg_a', jobId: 'j1', leadId: 'l1', at: 100 }, { webhookId: 'msg_b', jobId: 'j1', leadId: 'l2', at: 200 }]);
    expect(arrivedBetween(arrivals, 100, 200)).toBe(1);
    expect(arrivedBetween(arrivals, 0, 201)).toBe(2);
  });

  it('allows repeats of one webhook-id with its lead, and names a lead under two ids and an id with two leads', () => {
    const ok = leadArrivals([request('msg_a', 'lead.created', 'l1', 1), request('msg_a', 'lead.created', 'l1', 2)]);
    expect(deliveryOnceFaults(ok)).toEqual({ leadsUnderSeveralIds: [], idsWithSeveralLeads: [] });
    const bad = leadArrivals([request('msg_a', 'lead.created', 'l1', 1), request('msg_b', 'lead.created', 'l1', 2), request('msg_b', 'lead.created', 'l2', 3)]);
    expect(deliveryOnceFaults(bad)).toEqual({ leadsUnderSeveralIds: ['l1'], idsWithSeveralLeads: ['msg_b'] });
  });
});
