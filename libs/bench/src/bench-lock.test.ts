import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { takeBenchLock } from './bench-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the bench lock', () => {
  it('lets one bench run in a clone and names the one that holds it', () => {
    const path = join(dir, 'held.lock');
    const release = takeBenchLock(path);
    expect(() => takeBenchLock(path)).toThrow(`another bench (pid ${process.pid}) is running in this clone (${path}): wait for it, or stop it`);
    release();
    expect(existsSync(path)).toBe(false);
    takeBenchLock(path)();
  });

  it('is taken over from a bench that died holding it', () => {
    const path = join(dir, 'stale.lock');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(path, `${dead}\n`);
    const release = takeBenchLock(path);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
    release();
  });
});
