import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';

/** Addresses of the integration infrastructure, from the global setup. */
export function infraEnv() {
  return inject('infra');
}

/** A name no other test run uses: for topics, consumer groups and tenants. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}
