import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { keyFileText, keyringFromFile } from './key-file.js';
import { newKeyEntry } from './secret-keys.js';

/** The built module, so that processes of their own can race through it. */
const KEY_FILE = fileURLToPath(new URL('../dist/key-file.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'leadflow-key-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${++n}`, 'data.keys');

/** What a SecretsError of the key file looks like, its message whole. */
const fileProblem = (message: string) => expect.objectContaining({ name: 'SecretsError', code: 'SECRET_KEY_FILE', message });

describe('the key file of standalone mode', () => {
  it('is made once, with one key, readable by its owner only, and read the same after', () => {
    const path = fresh();
    const made = keyFileText(path);
    expect(made).toMatch(/^local-[0-9a-f]{8}:[A-Za-z0-9+/]{43}=\n$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(keyFileText(path)).toBe(made);
    const keys = keyringFromFile(path);
    expect(keys.sealingKeyId).toBe(made.split(':')[0]);
    expect(keys.source).toBe(`the key file ${path}`);
    expect(keyringFromFile(path).open(keys.seal('s3cret', 'ctx'), 'ctx')).toBe('s3cret');
    // Nothing else was left beside it (the draft is linked into place, then removed).
    expect(readdirSync(join(path, '..'))).toEqual(['data.keys']);
  });

  it('keeps the first key when many processes make it at once', async () => {
    const path = fresh();
    const script = `const { keyFileText } = await import(${JSON.stringify(KEY_FILE)}); process.stdout.write(keyFileText(${JSON.stringify(path)}));`;
    const texts = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        const [code] = (await once(child, 'close')) as [number];
        expect(code).toBe(0);
        return out;
      }),
    );
    expect(texts[0]).toMatch(/^local-/);
    expect(new Set(texts).size).toBe(1);
    expect(keyFileText(path)).toBe(texts[0]);
    expect(readdirSync(join(path, '..'))).toEqual(['data.keys']);
  });

  it('holds keys an operator added for rotation, in the format of LEADFLOW_SECRET_KEYS', () => {
    const path = fresh();
    const first = keyFileText(path).trim();
    writeFileSync(path, `${newKeyEntry('k2')}\n${first}\n`);
    const keys = keyringFromFile(path);
    expect(keys.keyIds).toEqual(['k2', first.split(':')[0]]);
  });

  it('is refused when other users may read it, with the command that fixes it', () => {
    const path = fresh();
    keyFileText(path);
    chmodSync(path, 0o644);
    expect(() => keyringFromFile(path)).toThrow(fileProblem(`the key file ${path} may be read or changed by other users (mode 0644): chmod 600 ${path}`));
  });

  it('is refused when it holds no usable key, without quoting what it holds', () => {
    const path = fresh();
    mkdirSync(join(path, '..'), { recursive: true });
    const short = Buffer.alloc(16, 7).toString('base64');
    writeFileSync(path, `k1:${short}\n`, { mode: 0o600 });
    expect(() => keyringFromFile(path)).toThrow(
      fileProblem(`the key file ${path} has key "k1" that is not 32 bytes in base64 (16 bytes): make one with: openssl rand -base64 32`),
    );
  });

  it('says what to do when it cannot be made', () => {
    // A folder in its path that is a file: refused to root too, as a folder without write access is not.
    const file = join(root, `case-${++n}`);
    writeFileSync(file, '');
    const path = join(file, 'data.keys');
    expect(() => keyFileText(path)).toThrow(
      fileProblem(`the key file ${path} cannot be made or read (ENOTDIR): make its folder writable, or set LEADFLOW_SECRET_KEYS`),
    );
  });
});
