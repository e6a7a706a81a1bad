import { describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { createLifecycle, createOpsServer } from './index.js';

const logger = createLogger({ name: 'test', level: 'silent' });

describe('lifecycle', () => {
  it('starts modules in order and stops them in reverse, even when one stop fails', async () => {
    const events: string[] = [];
    const lc = createLifecycle({ logger });
    for (const name of ['a', 'b', 'c']) {
      lc.add({
        name,
        start: async () => void events.push(`start ${name}`),
        stop: async () => {
          events.push(`stop ${name}`);
          if (name === 'b') throw new Error('boom');
        },
      });
    }
    await lc.start();
    expect(lc.ready).toBe(true);
    await lc.stop();
    expect(lc.ready).toBe(false);
    expect(events).toEqual(['start a', 'start b', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('serves /healthz, /readyz by readiness, and /metrics as Prometheus text', async () => {
    let ready = false;
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.rows.inc({ stage: 'mapping', outcome: 'accepted' }, 3);
    const ops = createOpsServer({ port: 0, host: '127.0.0.1', metrics, isReady: () => ready });
    await ops.start!();
    try {
      const base = `http://127.0.0.1:${ops.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      ready = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toContain('leadflow_stage_rows_total{stage="mapping",outcome="accepted"} 3');
    } finally {
      await ops.stop!();
    }
  });
});
