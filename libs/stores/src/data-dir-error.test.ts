import { describe, expect, it } from 'vitest';
import { storeFailure } from './data-dir-error.js';

describe('the line a command stops with when its database cannot go on', () => {
  it('says the disk is full, and what to do, for PostgreSQL and for the file system', () => {
    const pg = Object.assign(new Error('could not extend file "base/5/16384": No space left on device'), { code: '53100' });
    expect(storeFailure(pg)).toBe(
      'the disk is full (could not extend file "base/5/16384": No space left on device): free some space, or put LEADFLOW_DATA_DIR and --out on another disk, and run again',
    );
    expect(storeFailure(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }))).toMatch(/^the disk is full \(/);
  });

  it("says the embedded database stopped when PGlite's WebAssembly aborts", () => {
    const aborted = Object.assign(new Error('Aborted(). Build with -sASSERTIONS for more info.'), { name: 'RuntimeError' });
    expect(storeFailure(aborted)).toBe(
      'the embedded database stopped (Aborted(). Build with -sASSERTIONS for more info.): run again; the rows stored so far are kept and the job ends INTERRUPTED',
    );
  });

  it('leaves every other error to the caller', () => {
    expect(storeFailure(new Error('boom'))).toBeUndefined();
    expect(storeFailure(undefined)).toBeUndefined();
  });
});
