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

  it('says the PostgreSQL server of DATABASE_URL cannot be used, and what to do, when it is not there or refuses us', () => {
    // Node's own, from a refused connection to every address of the host: no message, only a code.
    const refused = Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' });
    expect(storeFailure(refused)).toBe(
      'cannot use the PostgreSQL server of DATABASE_URL (ECONNREFUSED): start it or correct DATABASE_URL, or unset DATABASE_URL to use the embedded database',
    );
    const password = Object.assign(new Error('password authentication failed for user "leadflow"'), { code: '28P01' });
    expect(storeFailure(password)).toMatch(/^cannot use the PostgreSQL server of DATABASE_URL \(password authentication failed for user "leadflow"\): /);
  });

  it('leaves every other error to the caller', () => {
    expect(storeFailure(new Error('boom'))).toBeUndefined();
    expect(storeFailure(undefined)).toBeUndefined();
  });
});
