import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The highest peak resident memory (VmHWM) seen while it ran, in bytes; 0 where /proc does not tell. */
  peakRss: number;
}

/** The peak resident memory of a process so far, in bytes; 0 once it is gone. */
function peakRssOf(pid: number): number {
  try {
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * Runs a Node script (a command's bin) to its end with `env` over this process's environment,
 * and returns its exit code, output and peak memory. Killed after `timeoutMs`.
 */
export function runNode(script: string, args: readonly string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env: { ...process.env, ...opts.env } });
    let [stdout, stderr, peakRss] = ['', '', 0];
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, peakRssOf(child.pid!))), 50);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 110_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      clearTimeout(timer);
      resolve({ code, stdout, stderr, peakRss });
    });
  });
}
