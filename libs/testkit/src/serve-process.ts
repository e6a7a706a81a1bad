import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createKeyWithCli } from './api-keys.js';
import { tempDir } from './files.js';
import { freePort } from './free-port.js';
import { waitUntil } from './wait-until.js';

export interface ServeProcess {
  child: ChildProcess;
  /** Everything it has written so far, standard output and error interleaved as they came. */
  output(): string;
}

/**
 * Starts `leadflow serve` (the command's bin at `bin`) with `env` over this process's
 * environment, and waits until it says it listens. Creating the embedded database alone took
 * 20 s at a load of 10 on 2 cores: the default bound leaves room for a busier machine.
 */
export async function startServe(bin: string, env: Record<string, string>, opts: { timeoutMs?: number } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [bin, 'serve'], { env: { ...process.env, ...env } });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  await waitUntil('leadflow serve to listen', () => (output.includes('leadflow serve: REST on') ? true : undefined), {
    timeoutMs: opts.timeoutMs ?? 240_000,
    describe: () => output,
  });
  return { child, output: () => output };
}

/** A `leadflow serve` started for a scenario: where it answers, the keys made for it, how to stop it. */
export interface ServeTarget extends ServeProcess {
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** `127.0.0.1:<port>` */
  grpcAddress: string;
  /** Its embedded database's folder. */
  dataDir: string;
  /** One API key per name asked for. */
  keys: Record<string, string>;
  /** Kills it, if it still runs. */
  stop(): void;
}

/**
 * `leadflow serve` on a new embedded database in a temporary folder, on free ports, with an
 * API key made by `leadflow keys create` (as an operator makes them) for each of `keys` first:
 * what the scenario tests of `leadflow serve` all begin with.
 */
export async function startServeWithKeys(
  bin: string,
  opts: {
    prefix: string;
    keys: Record<string, { tenant: string; role: 'admin' | 'uploader' | 'viewer' }>;
    env?: Record<string, string>;
    /** A folder already used (by `leadflow run`, say); else a new one below a temporary folder named by `prefix`. */
    dataDir?: string;
  },
): Promise<ServeTarget> {
  const dataDir = opts.dataDir ?? join(tempDir(opts.prefix), 'db');
  const keys: Record<string, string> = {};
  for (const [name, key] of Object.entries(opts.keys)) keys[name] = await createKeyWithCli(bin, { LEADFLOW_DATA_DIR: dataDir }, key);
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const serve = await startServe(bin, {
    HTTP_PORT: String(httpPort), GRPC_PORT: String(grpcPort), LEADFLOW_DATA_DIR: dataDir, HTTP_HOST: '', LOG_LEVEL: 'warn', ...opts.env,
  });
  return {
    ...serve,
    base: `http://127.0.0.1:${httpPort}`,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    dataDir,
    keys,
    stop: () => {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    },
  };
}
