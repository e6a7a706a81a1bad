import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIXTURES = fileURLToPath(new URL('../fixtures/summary', import.meta.url));
const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

/** Runs vitest on the fixture suites as CI runs the repository's, and answers its output and exit code. */
function runFixtures(): Promise<{ code: number | null; lines: string[] }> {
  // The child is a run of its own, not a worker of this one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'TEST' && k !== 'NODE_ENV'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VITEST, 'run', '--root', FIXTURES, '--color=false'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines: out.trim().split('\n') }));
  });
}

describe('the closing line of a test run', () => {
  it('counts a suite that failed before its tests ran as failed, and exits non-zero', async () => {
    const { code, lines } = await runFixtures();
    // hook-timeout: a beforeAll past its timeout, 2 tests never run -> 2 failed
    // import-error: the module throws while loading, no test collected -> 1 failed
    // after-all: 1 test passed, then afterAll throws -> 1 passed, 1 failed
    // plain: 1 passed, 1 failed, 1 skipped on purpose
    expect(lines.at(-1)).toBe('tests: 2 passed, 5 failed, 1 skipped');
    expect(code).toBe(1);
  });
});
