import { spawn, type ChildProcess } from 'node:child_process';
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
