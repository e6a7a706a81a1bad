import { spawn } from 'node:child_process';
import { findProgram, portOpen, stopProcess } from '@leadflow/infra';
import { freePort } from './free-port.js';
import { waitUntil } from './wait-until.js';

export interface PrivateRedis {
  url: string;
  /** Stops the server (by its pid) and starts a new, empty one on the same port: a Redis restart without persistence. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Redis server of one test's own on a free loopback port, started and stopped by its process
 * id as `npm run infra` does: a test may empty or restart it without touching anyone else's keys.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const program = findProgram('redis-server');
  if (!program) throw new Error('redis-server is not installed: `npm run infra -- up` installs it (apt package redis-server)');
  const port = await freePort();
  let pid: number | undefined;
  const start = async () => {
    const child = spawn(program, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    pid = child.pid;
    await waitUntil(`the test's Redis on port ${port}`, async () => ((await portOpen(port)) ? true : undefined), { timeoutMs: 30_000, intervalMs: 50 });
  };
  const stop = async () => {
    if (pid !== undefined) await stopProcess(pid, 10_000);
    pid = undefined;
    await waitUntil(`the test's Redis on port ${port} to stop`, async () => ((await portOpen(port)) ? undefined : true), { timeoutMs: 30_000, intervalMs: 50 });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    restart: async () => {
      await stop();
      await start();
    },
    stop,
  };
}
