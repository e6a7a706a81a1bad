import { readFileSync } from 'node:fs';
import { WEBHOOK_EVENTS } from './endpoint-admin.js';

/**
 * The JSON Schema (2020-12) of each event Leadflow sends (docs/delivery.md, "Events and their
 * schemas"): the Standard Webhooks envelope `{ type, timestamp, data }` with the type's `data`.
 * One file a type in services/delivery/schemas, read once; the gateway publishes them at
 * `GET /v1/schemas/events/{type}`.
 */
const schemas = new Map<string, Record<string, unknown>>(
  WEBHOOK_EVENTS.map((type) => [type, JSON.parse(readFileSync(new URL(`../schemas/${type}.schema.json`, import.meta.url), 'utf8')) as Record<string, unknown>]),
);

/** The schema of an event type; undefined for a type Leadflow does not send. */
export const eventSchema = (type: string): Record<string, unknown> | undefined => schemas.get(type);
