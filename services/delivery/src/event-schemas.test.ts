import { randomUUID } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type LeadBatch } from '@leadflow/proto';
import type { SqlClient } from '@leadflow/stores';
import { eventSchema } from './event-schemas.js';
import { WEBHOOK_EVENTS } from './endpoint-admin.js';
import { writeLeadChanges } from './lead-changes.js';
import { createOutboxStage } from './outbox-writer.js';
import { envelope } from './standard-webhooks.js';

interface Written {
  event_type: string;
  payload: unknown;
}

/** A database that answers the writer's reads and keeps the events it writes. */
function fakeDb(endpoints: { id: string; mode: 'record' | 'batch'; batch_size: number; events: string[] }[]) {
  const written: Written[] = [];
  const db = {
    async query(sql: string, params: unknown[] = []) {
      if (sql.includes('FROM webhook_endpoints')) return { rows: endpoints.map((e) => ({ ...e, tenant_id: 't1', url: 'https://receiver.example/hook' })) };
      if (sql.includes('FROM leads')) {
        return { rows: [{ id: params[0] && (params[0] as string[])[0], first_name: 'Annette', email: 'annette@x.com', city: 'Kellerberrin', alternates: { emails: ['marek@y.com'], phones: [] } }] };
      }
      if (sql.includes('FROM job_progress')) {
        return { rows: [{ total_rows: 3, accepted: 2, invalid: 1, duplicate: 0, suppressed: 0, completed_at: new Date('2026-12-01T10:00:00Z') }] };
      }
      if (sql.includes('INSERT INTO delivery_events')) written.push(...(JSON.parse(params[0] as string) as Written[]));
      return { rows: [] };
    },
  };
  return { db: db as unknown as SqlClient, written };
}

function batch(): LeadBatch {
  const jobId = randomUUID();
  const row = (rowNumber: number, lead: Partial<ReturnType<typeof emptyLead>>, disposition = Disposition.DISPOSITION_ACCEPTED) => ({
    rowNumber, lead: { ...emptyLead(), ...lead }, disposition, reasons: [], tags: ['b2b'], qualityScore: 0, match: undefined, raw: [],
    leadId: leadIdFor(jobId, rowNumber),
  });
  return {
    job: { jobId, tenantId: 't1', supplier: 'acme', webhookUrl: '', fileName: 'leads.csv', sheet: '', review: false },
    seq: 0, header: ['email'], mapping: [], last: true, totalRows: 3, failure: undefined,
    rows: [
      row(1, {
        firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '+12015550123', city: 'Austin', extra: { campaign: 'spring' },
        alternateEmails: [{ value: 'ada@work.example', source: 'email_2' } as never],
      }),
      row(2, { email: 'bob@example.com' }),
      row(3, { email: 'not-an-email' }, Disposition.DISPOSITION_INVALID),
    ],
  };
}

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);

describe('the JSON Schemas of the events', () => {
  it('has a schema for every event type an endpoint may take, each a 2020-12 schema of the envelope', () => {
    for (const type of WEBHOOK_EVENTS) {
      const schema = eventSchema(type)!;
      expect(schema, type).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', title: type, required: ['type', 'timestamp', 'data'] });
      expect(() => ajv.compile(schema), type).not.toThrow();
    }
    expect(eventSchema('lead.deleted')).toBeUndefined();
  });

  it('validates the bodies of real events the outbox writer builds: lead.created in record and batch mode, job.completed', async () => {
    const { db, written } = fakeDb([
      { id: randomUUID(), mode: 'record', batch_size: 1, events: ['lead.created'] },
      { id: randomUUID(), mode: 'batch', batch_size: 50, events: ['lead.created', 'job.completed'] },
    ]);
    await createOutboxStage({ db, logger: createLogger({ name: 'schemas-test', level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }) })(batch());
    expect(written.map((w) => w.event_type).sort()).toEqual(['job.completed', 'lead.created', 'lead.created', 'lead.created']);
    for (const w of written) {
      // The body the dispatcher sends (dispatcher.ts): the envelope around the stored payload.
      const body = JSON.parse(envelope(w.event_type, new Date(), w.payload)) as unknown;
      const validate = ajv.getSchema(`https://leadflow.dev/schemas/events/${w.event_type}`) ?? ajv.compile(eventSchema(w.event_type)!);
      expect(validate(body), `${w.event_type}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('validates the lead.updated bodies of a review decision and of a reverted merge, and writes none for a change of no field', async () => {
    const { db, written } = fakeDb([{ id: randomUUID(), mode: 'record', batch_size: 1, events: ['lead.updated'] }]);
    const leadId = randomUUID();
    const change = { tenantId: 't1', leadId, jobId: 'job-1', row: 2, mergeId: '7', changed: ['alternates'] };
    expect(await writeLeadChanges(db, [{ ...change, cause: 'review' }, { ...change, cause: 'revert' }, { ...change, cause: 'revert', changed: ['email_key'] }])).toBe(2);
    const validate = ajv.getSchema('https://leadflow.dev/schemas/events/lead.updated') ?? ajv.compile(eventSchema('lead.updated')!);
    for (const w of written) {
      const body = JSON.parse(envelope(w.event_type, new Date(), w.payload)) as unknown;
      expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(written.map((w) => (w.payload as { cause: string }).cause)).toEqual(['review', 'revert']);
    // Two events of one row: two ids.
    expect(new Set(written.map((w) => (w as unknown as { id: string }).id)).size).toBe(2);
  });

  it('refuses a body that is not the event: another type, a lead without its id, a count that is not a number', () => {
    const created = ajv.getSchema('https://leadflow.dev/schemas/events/lead.created') ?? ajv.compile(eventSchema('lead.created')!);
    const ts = new Date().toISOString();
    expect(created({ type: 'job.completed', timestamp: ts, data: { jobId: 'j', leads: [] } })).toBe(false);
    expect(created({ type: 'lead.created', timestamp: ts, data: { jobId: 'j', row: 1, supplier: '', tags: [] } })).toBe(false);
    const completed = ajv.getSchema('https://leadflow.dev/schemas/events/job.completed') ?? ajv.compile(eventSchema('job.completed')!);
    const counts = { rows: '3', accepted: 2, invalid: 1, duplicate: 0, suppressed: 0 };
    expect(completed({ type: 'job.completed', timestamp: ts, data: { jobId: 'j', status: 'completed', completedAt: ts, counts } })).toBe(false);
  });
});
