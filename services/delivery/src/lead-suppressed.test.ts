import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { SqlClient } from '@leadflow/stores';
import { eventSchema } from './event-schemas.js';
import { eventId } from './event-ids.js';
import { writeLeadSuppressed } from './lead-suppressed.js';
import { envelope } from './standard-webhooks.js';

/** A database that has two endpoints, one taking lead.suppressed, and keeps the events written. */
function fakeDb() {
  const written: { id: string; endpoint_id: string; event_type: string; job_id: string; payload: Record<string, unknown> }[] = [];
  const db = {
    async query(sql: string, params: unknown[] = []) {
      if (sql.includes('FROM webhook_endpoints')) {
        expect(sql).toContain("'lead.suppressed' = ANY(events)");
        return { rows: [{ id: 'e1', url: 'https://hooks.example/a' }], rowCount: 1 };
      }
      if (sql.includes('INSERT INTO delivery_events')) {
        const events = JSON.parse(params[0] as string) as typeof written;
        written.push(...events);
        return { rows: [], rowCount: events.length };
      }
      return { rows: [{ n: 0, cancelled: 0, trimmed: 0 }], rowCount: 0 };
    },
  };
  return { db: db as unknown as SqlClient, written };
}

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);

describe('lead.suppressed (docs/rescreen.md)', () => {
  it('writes one event a lead to each endpoint that takes it, with an id drawn from endpoint and lead, valid by its schema', async () => {
    const { db, written } = fakeDb();
    const lead = {
      id: '00000000-0000-4000-8000-000000000001', tenantId: 't1', jobId: 'job-1', rowNumber: 7, suppressedAt: '2026-12-02T10:00:00.000Z',
      reasons: [{ code: 'DNC_INTERNAL', detail: 'Internal 2026-12-02, version 3' }, { code: 'SUPPRESSED_EMAIL' }],
    };
    const outcome = await writeLeadSuppressed(db, 't1', [lead]);
    expect(outcome).toEqual({ events: 1, cancelled: 0, trimmed: 0 });
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ id: eventId('e1', 'lead.suppressed', lead.id, 0), endpoint_id: 'e1', event_type: 'lead.suppressed', job_id: 'job-1' });
    const body = JSON.parse(envelope('lead.suppressed', new Date(), written[0]!.payload));
    const validate = ajv.compile(eventSchema('lead.suppressed')!);
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    expect(body.data).toEqual({ id: lead.id, jobId: 'job-1', row: 7, reasons: lead.reasons, suppressedAt: lead.suppressedAt });
  });

  it('writes nothing for no lead', async () => {
    const { db, written } = fakeDb();
    expect(await writeLeadSuppressed(db, 't1', [])).toEqual({ events: 0, cancelled: 0, trimmed: 0 });
    expect(written).toEqual([]);
  });
});
