import { stateDir } from './paths.js';
import { findProgram, portOpen, spawnDetached, waitFor } from './process-util.js';
import { ensurePrograms } from './system-packages.js';

export interface LocalRedis {
  pid: number;
  url: string;
}

/** Redis on loopback without persistence: everything in it can be rebuilt (docs/architecture.md section 4). */
export async function startLocalRedis(opts: { port: number }, log: (line: string) => void): Promise<LocalRedis> {
  ensurePrograms([{ program: 'redis-server', debianPackage: 'redis-server', why: 'runs Redis locally' }], log);
  const redis = findProgram('redis-server')!;
  const logFile = stateDir('logs', 'redis.log');
  const pid = spawnDetached(
    redis,
    ['--port', String(opts.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', stateDir()],
    { logFile },
  );
  await waitFor('Redis', () => portOpen(opts.port), { timeoutMs: 15_000, logFile, pid });
  return { pid, url: `redis://127.0.0.1:${opts.port}` };
}
