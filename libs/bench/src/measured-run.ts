import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { cachedTree, peakOfEach, startSampling, type MemoryProbe } from './process-memory.js';

export interface MeasuredRun {
  seconds: number;
  /** Peak resident set of the process and its children (VmHWM, sampled every 250 ms), bytes. */
  peakRss: number | undefined;
  /** Why the run did not succeed, in one line; undefined when it exited 0. */
  failure?: string;
  /** The last lines it printed (stdout and stderr). */
  tail: string;
}

export interface MeasuredRunOptions {
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Everything it prints goes here. */
  logFile: string;
  timeoutMs: number;
  /** Killed when its resident set passes this many bytes. */
  maxRss: number;
  /** More probes sampled while it runs (a server it talks to). */
  alongside?: readonly MemoryProbe[];
  /** Aborted when the bench itself is interrupted: the run is killed. */
  signal?: AbortSignal;
}

const TAIL_BYTES = 16 * 1024;
export const formatBytes = (n: number) =>
  n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GB` : n >= 2 ** 20 ? `${Math.round(n / 2 ** 20)} MB` : `${Math.round(n / 2 ** 10)} KB`;

/**
 * The one line of a failed run's output that says why: V8's fatal error, the program's own
 * one-line reason, or else its last line. (Never a stack trace: those lines follow the reason.)
 */
export function reasonOf(output: string): string {
  const lines = output.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^FATAL ERROR:/.test(l)) ?? lines.find((l) => /^leadflow\b.*:/.test(l)) ?? lines.at(-1) ?? 'no output';
}

/**
 * Runs a program to its end, bounded in time and memory, measuring its wall time and peak
 * memory. A run that fails, overruns or outgrows the cap is reported, not thrown: the bench
 * goes on to the next mode.
 */
export function runMeasured(opts: MeasuredRunOptions): Promise<MeasuredRun> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(opts.logFile);
    let tail = '';
    const started = performance.now();
    // Its own process group, so that a kill reaches the children it may have started too.
    const child = spawn(opts.command, opts.args, { env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const keep = (chunk: Buffer) => {
      log.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let killedFor: string | undefined;
    const kill = (why: string) => {
      if (killedFor || child.pid === undefined) return;
      killedFor = why;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const tree = child.pid === undefined ? () => [] : cachedTree(child.pid);
    const own = peakOfEach(tree);
    const sampling = startSampling([own, ...(opts.alongside ?? [])], 250, () => {
      if (own.current() > opts.maxRss) kill(`resident memory passed the cap of ${formatBytes(opts.maxRss)} (--max-rss-mb); killed`);
    });
    const timer = setTimeout(() => kill(`did not finish within ${Math.round(opts.timeoutMs / 1000)} s (--timeout); killed`), opts.timeoutMs);
    const onAbort = () => kill('the bench was interrupted; killed');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      clearTimeout(timer);
      sampling.stop();
      reject(new Error(`${opts.command} could not start: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      opts.signal?.removeEventListener('abort', onAbort);
      const seconds = (performance.now() - started) / 1000;
      clearTimeout(timer);
      sampling.stop();
      log.end();
      const failure = killedFor ?? (code === 0 ? undefined : `${code === null ? `signal ${signal}` : `exit code ${code}`}: ${reasonOf(tail)}`);
      resolve({ seconds, peakRss: own.peak(), tail, ...(failure ? { failure } : {}) });
    });
  });
}
