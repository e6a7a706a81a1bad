import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { stateDir } from './paths.js';
import { findProgram, run, spawnDetached, waitFor } from './process-util.js';
import { ensurePrograms } from './system-packages.js';

export interface LocalPostgres {
  pid: number;
  url: string;
}

/** Debian keeps the server programs in /usr/lib/postgresql/<major>/bin, off PATH. */
function debianBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  return versions.map((v) => join(root, v, 'bin'));
}

function binDir(log: (line: string) => void): string {
  ensurePrograms(
    [{ program: 'initdb', candidates: () => debianBinDirs().map((d) => join(d, 'initdb')), debianPackage: 'postgresql', why: 'runs PostgreSQL locally' }],
    log,
  );
  if (findProgram('initdb') && findProgram('postgres')) return '';
  return debianBinDirs()[0]!;
}

/**
 * PostgreSQL refuses to run as root: as root, the server runs as the `postgres` system user
 * that Debian's package creates, and owns its data folder.
 */
function asServerUser(): { wrap: (cmd: string, args: string[]) => [string, string[]]; uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return { wrap: (cmd, args) => [cmd, args] };
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) throw new Error('running as root needs the "postgres" system user (apt-get install postgresql creates it)');
  return {
    wrap: (cmd, args) => ['runuser', ['-u', 'postgres', '--', cmd, ...args]],
    uid: Number(id.stdout.trim()),
    gid: Number(gid.stdout.trim()),
  };
}

export async function startLocalPostgres(opts: { port: number }, log: (line: string) => void): Promise<LocalPostgres> {
  const bin = binDir(log);
  const exe = (name: string) => (bin ? join(bin, name) : name);
  const user = asServerUser();
  const dir = stateDir('postgres');
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'run');
  const logFile = stateDir('logs', 'postgres.log');
  mkdirSync(socketDir, { recursive: true });
  mkdirSync(stateDir('logs'), { recursive: true });
  if (user.uid !== undefined) {
    chownSync(dir, user.uid, user.gid!);
    chownSync(socketDir, user.uid, user.gid!);
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true });
    chmodSync(dataDir, 0o700);
    if (user.uid !== undefined) chownSync(dataDir, user.uid, user.gid!);
    const [cmd, args] = user.wrap(exe('initdb'), ['-D', dataDir, '-U', 'leadflow', '--auth=trust', '-E', 'UTF8', '--no-locale']);
    run(cmd, args);
  }
  const [cmd, args] = user.wrap(exe('postgres'), [
    '-D', dataDir, '-p', String(opts.port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
  ]);
  const pid = spawnDetached(cmd, args, { logFile });
  const isReady = () =>
    spawnSync(exe('pg_isready'), ['-h', '127.0.0.1', '-p', String(opts.port), '-U', 'leadflow'], { encoding: 'utf8' }).status === 0;
  await waitFor('PostgreSQL', isReady, { timeoutMs: 90_000, logFile, pid });
  const exists = spawnSync(
    exe('psql'),
    ['-h', '127.0.0.1', '-p', String(opts.port), '-U', 'leadflow', '-d', 'postgres', '-tAc', "SELECT 1 FROM pg_database WHERE datname = 'leadflow'"],
    { encoding: 'utf8' },
  );
  if (exists.stdout.trim() !== '1') run(exe('createdb'), ['-h', '127.0.0.1', '-p', String(opts.port), '-U', 'leadflow', 'leadflow']);
  return { pid, url: `postgres://leadflow@127.0.0.1:${opts.port}/leadflow` };
}
