import { stateDir } from './paths.js';
import { findProgram, portOpen, spawnDetached, waitFor } from './process-util.js';

export interface LocalRedis {
  pid: number;
  url: string;
}

/** Redis on loopback without persistence: everything in it can be rebuilt (ARCHITECTURE.md section 4). */
export async function startLocalRedis(opts: { port: number }): Promise<LocalRedis> {
  const redis = findProgram('redis-server');
  if (!redis) throw new Error('Redis is not installed: install it (apt-get install redis-server) or set REDIS_URL');
  const logFile = stateDir('logs', 'redis.log');
  const pid = spawnDetached(
    redis,
    ['--port', String(opts.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', stateDir()],
    { logFile },
  );
  await waitFor('Redis', () => portOpen(opts.port), { timeoutMs: 15_000, logFile, pid });
  return { pid, url: `redis://127.0.0.1:${opts.port}` };
}
