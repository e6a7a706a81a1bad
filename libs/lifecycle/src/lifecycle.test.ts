import { describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createMetrics } from '@leadflow/metrics';
import { createLifecycle, createOpsServer, ListenError } from './index.js';

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

  it('rejects a start whose port is taken with the server and port named, after stopping what started', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const taken = createOpsServer({ port: 0, host: '127.0.0.1', metrics, isReady: () => true });
    await taken.start!();
    const signalListeners = process.listenerCount('SIGTERM');
    try {
      const events: string[] = [];
      const lc = createLifecycle({ logger });
      lc.add({ name: 'db', start: async () => void events.push('start db'), stop: async () => void events.push('stop db') });
      lc.add(createOpsServer({ port: taken.port, host: '127.0.0.1', metrics, isReady: () => true }));
      const err = await lc.runUntilSignal().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ListenError);
      expect(err).toMatchObject({ server: 'ops', port: taken.port, reason: 'in_use' });
      expect(events).toEqual(['start db', 'stop db']);
      expect(process.listenerCount('SIGTERM')).toBe(signalListeners);
    } finally {
      await taken.stop!();
    }
  });

  it("reads a taken port from grpc-js's bind failure, which has no code", () => {
    const grpcBind = new Error('No address added out of total 1 resolved errors: [listen EADDRINUSE: address already in use 0.0.0.0:50051]');
    expect(new ListenError('gRPC', 50051, grpcBind).reason).toBe('in_use');
    expect(new ListenError('REST', 80, Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:80'), { code: 'EACCES' })).reason).toBe('denied');
  });
});
