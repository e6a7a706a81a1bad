import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPglite, type SqlClient } from '@leadflow/stores';
import {
  expectAgainDetails, expectErasureAnswers, runErasureScenario, scanDatabase, startServeWithKeys, startWebhookReceiver, uniqueName, type ErasureSeen, type ServeTarget, type WebhookReceiver,
} from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/**
 * Erasure in `leadflow serve` (docs/erasure.md; issue 13, "erasure leaves no trace but the hashed
 * audit"): the person is found as a lead, a duplicate, a rejected and a suppressed row and a
 * delivery, erased, and then no column of any table of the embedded database holds her email or
 * her number in any spelling: she is kept out by keyed hashes only (erased_subjects).
 */
describe('leadflow serve: POST /v1/erasure leaves no trace of the person but the hashed audit', () => {
  let serve: ServeTarget | undefined;
  let receiver: WebhookReceiver;
  let seen: ErasureSeen;
  let dataDir = '';
  const tenantA = uniqueName('erase-a');
  const tenantB = uniqueName('erase-b');

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    serve = await startServeWithKeys(BIN, {
      prefix: 'leadflow-erasure-',
      keys: { admin: { tenant: tenantA, role: 'admin' }, viewer: { tenant: tenantA, role: 'viewer' }, other: { tenant: tenantB, role: 'admin' } },
      env: { OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8', OUTBOUND_ALLOW_HTTP: 'true' },
    });
    dataDir = serve.dataDir;
    seen = await runErasureScenario({
      base: serve.base, grpcAddress: serve.grpcAddress, tenantA, adminA: serve.keys.admin!, viewerA: serve.keys.viewer!, tenantB, adminB: serve.keys.other!,
      receiver, timeoutMs: 120_000,
    });
  }, 600_000);
  afterAll(async () => {
    await serve?.stop();
    await receiver?.close();
  });

  it('answers what it removed, refuses bad requests, and suppresses the person when sent again; tenant B keeps its copy', () => {
    expectErasureAnswers(seen);
  });

  it('leaves her in no column of any table; she is kept out and logged by keyed hashes only', async () => {
    // Stopped as an operator stops it (SIGTERM), so that the embedded database is closed cleanly:
    // its unlogged tables (dedup's claims and index) are scanned as they were, not as a crash leaves them.
    const child = serve!.child;
    serve = undefined;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(60_000).then(() => Promise.reject(new Error('leadflow serve did not stop within 60 s of SIGTERM')))]);
    const db: SqlClient = await createPglite({ dataDir });
    try {
      expect(await scanDatabase(db, seen.needles, seen.except)).toEqual([]);
      const { rows: erased } = await db.query<{ tenant_id: string; kind: string; erasure_id: string }>(
        'SELECT tenant_id, kind, erasure_id::text FROM erased_subjects WHERE tenant_id = ANY($1::text[]) ORDER BY kind',
        [[tenantA, tenantB]],
      );
      expect(erased).toEqual([
        { tenant_id: tenantA, kind: 'email', erasure_id: seen.answer.id },
        { tenant_id: tenantA, kind: 'phone', erasure_id: seen.answer.id },
      ]);
      const { rows: again } = await db.query<{ reasons: { code: string; field: string; detail: string }[] }>('SELECT reasons FROM suppressed_leads WHERE job_id = $1', [seen.againJob]);
      expect(again).toHaveLength(1);
      expectAgainDetails(seen, again[0]!.reasons);
      // The scan sees what is there: tenant B's copy of her, and her row sent again after the erasure.
      const all = await scanDatabase(db, seen.needles, []);
      // (A's lead and suppressed rows of before are gone, above: these are B's lead and A's row sent again.)
      expect(all.some((t) => t.table === 'leads')).toBe(true);
      expect(all.some((t) => t.table === 'suppressed_leads')).toBe(true);
      const { rows: log } = await db.query<{ email: boolean; phone: boolean; counts: Record<string, number> }>(
        'SELECT email_hash IS NOT NULL AS email, phone_hash IS NOT NULL AS phone, counts FROM erasure_log WHERE tenant_id = $1 ORDER BY id',
        [tenantA],
      );
      expect(log.map((l) => [l.email, l.phone, l.counts.leads])).toEqual([[true, true, 1], [true, true, 0]]);
    } finally {
      await db.close();
    }
  }, 300_000);
});
