import { describe, expect, it } from 'vitest';
import { createLogger } from '@leadflow/logger';
import { createPriorityGate } from './priority-gate.js';

const LANES = ['t.high.v1', 't.v1', 't.low.v1'];

function fakeConsumer() {
  const paused = new Set<string>();
  return {
    paused,
    pause: (ts: { topic: string }[]) => ts.forEach((t) => paused.add(t.topic)),
    resume: (ts: { topic: string }[]) => ts.forEach((t) => paused.delete(t.topic)),
  };
}

describe('the priority gate of a stage consumer', () => {
  const logger = createLogger({ name: 'test', level: 'silent' });

  it('pauses the lanes below the highest one with messages waiting, and opens them once it has none', async () => {
    const consumer = fakeConsumer();
    let waiting = [0, 3, 5];
    const gate = createPriorityGate({ consumer, lanes: LANES, waiting: async () => waiting, pollMs: 5, logger });
    gate.start();
    await expect.poll(() => [...consumer.paused]).toEqual(['t.low.v1']);
    waiting = [2, 3, 5];
    await expect.poll(() => [...consumer.paused].sort()).toEqual(['t.low.v1', 't.v1']);
    waiting = [0, 0, 5];
    await expect.poll(() => [...consumer.paused]).toEqual([]);
    gate.stop();
  });

  it('pauses the lower lanes as soon as a message of a higher one is handled, before the next reading', () => {
    const consumer = fakeConsumer();
    const gate = createPriorityGate({ consumer, lanes: LANES, waiting: async () => [0, 0, 0], pollMs: 60_000, logger });
    gate.handling('t.high.v1');
    expect([...consumer.paused].sort()).toEqual(['t.low.v1', 't.v1']);
    gate.handling('t.low.v1');
    expect([...consumer.paused].sort()).toEqual(['t.low.v1', 't.v1']);
  });

  it('opens every lane when the waiting messages cannot be read: priority orders, it never stops a lane', async () => {
    const consumer = fakeConsumer();
    const gate = createPriorityGate({ consumer, lanes: LANES, waiting: async () => Promise.reject(new Error('broker away')), pollMs: 5, logger });
    gate.handling('t.high.v1');
    gate.start();
    await expect.poll(() => [...consumer.paused]).toEqual([]);
    gate.stop();
  });
});
