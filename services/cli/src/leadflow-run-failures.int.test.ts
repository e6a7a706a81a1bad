import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@leadflow/testkit';

const BIN = fileURLToPath(new URL('../bin/leadflow.js', import.meta.url));

/** The peak resident memory of a process so far (VmHWM), in bytes; 0 once it is gone. */
function peakRss(pid: number): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Runs the leadflow command to its end; `peak` is the highest VmHWM seen while it ran. */
function leadflow(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string; peak: number }>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: '', ...env } });
    let [stdout, stderr, peak] = ['', '', 0];
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const sampler = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 50);
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      clearTimeout(timer);
      resolve({ code, stdout, stderr, peak });
    });
  });
}

const NO_STACK = /\bat .*\.js:\d+|\n\s+at /;

describe('leadflow run, when something is wrong', () => {
  const dir = tempDir('leadflow-run-failures-');
  const env = { LEADFLOW_DATA_DIR: join(dir, 'db') };
  const csv = join(dir, 'leads.csv');
  writeFileSync(csv, ['Email,First Name', ...Array.from({ length: 6 }, (_, i) => `lead${i}@failures.test,Lee${i}`)].join('\n'));
  mkdirSync(join(dir, 'a-folder'));
  writeFileSync(join(dir, 'a-file'), 'x');

  it.each([
    ['a missing file', ['run', join(dir, 'nope.csv')], `no such file: ${join(dir, 'nope.csv')}`],
    ['a folder for the file', ['run', join(dir, 'a-folder')], `${join(dir, 'a-folder')} is a folder, not a file`],
    ['a missing DNC file', ['run', csv, '--dnc', join(dir, 'dnc.txt')], `no such DNC file: ${join(dir, 'dnc.txt')}`],
    ['a folder for the DNC file', ['run', csv, '--dnc', join(dir, 'a-folder')], `${join(dir, 'a-folder')} is a folder, not a DNC file`],
    [
      'an output folder that is a file',
      ['run', csv, '--out', join(dir, 'a-file')],
      `cannot create the output folder ${join(dir, 'a-file')}: a file of that name is in the way; choose another with --out`,
    ],
    [
      'an output folder under a file',
      ['run', csv, '--out', join(dir, 'a-file', 'out')],
      `cannot create the output folder ${join(dir, 'a-file', 'out')}: a part of the path is a file, not a folder; choose another with --out`,
    ],
    ['a missing file to map', ['map', join(dir, 'nope.csv')], `no such file: ${join(dir, 'nope.csv')}`],
  ])('ends %s with exit code 1 and one line that names it, before any work', async (_what, args, message) => {
    const untouched = join(dir, 'untouched-db');
    const res = await leadflow(args, { LEADFLOW_DATA_DIR: untouched });
    expect(res.stderr).toBe(`leadflow ${args[0]}: ${message}\n`);
    expect(res.code).toBe(1);
    expect(existsSync(untouched)).toBe(false);
  });

  it('ends a run whose output disk fills up with exit code 1 and one line naming the file', async () => {
    const out = join(dir, 'out-full');
    mkdirSync(out);
    // Every write to /dev/full fails as on a full disk (ENOSPC).
    symlinkSync('/dev/full', join(out, 'leads.csv'));
    const res = await leadflow(['run', csv, '--out', out], env);
    expect(res.stderr).toBe(`leadflow run: cannot write ${join(out, 'leads.csv')}: no space left on the disk\n`);
    expect(res.code).toBe(1);
  });
});
