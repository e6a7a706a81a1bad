import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from './args.js';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const keys = (...words: string[]) => parseArgs(['keys', ...words], NOW);

describe('leadflow run arguments', () => {
  it("takes a supplier's name of at most 200 characters, as the API does", () => {
    expect(parseArgs(['run', 'f.csv', '--supplier', 'a'.repeat(200)], NOW)).toMatchObject({ command: 'run', supplier: 'a'.repeat(200) });
    expect(() => parseArgs(['run', 'f.csv', '--supplier', 'a'.repeat(201)], NOW)).toThrow(new UsageError("--supplier is a supplier's name of at most 200 characters"));
  });
});

describe('leadflow keys arguments', () => {
  it('reads create with its options in either spelling, a name left empty, and an expiry as a date or a date and time', () => {
    expect(keys('create', '--tenant', 'acme', '--role=uploader', '--name', 'nightly sync')).toEqual({
      command: 'keys', action: 'create', tenant: 'acme', role: 'uploader', name: 'nightly sync', expiresAt: undefined,
    });
    expect(keys('create', '--tenant=acme', '--role', 'viewer', '--name=', '--expires', '2027-01-31')).toMatchObject({ name: '', expiresAt: new Date('2027-01-31T00:00:00Z') });
    expect(keys('rotate', 'lfk_Ab12Cd34', '--expires=2026-06-01T04:00:00+02:00')).toEqual({
      command: 'keys', action: 'rotate', prefix: 'lfk_Ab12Cd34', expiresAt: new Date('2026-06-01T02:00:00Z'),
    });
  });

  it('reads list, for every tenant or one, and revoke of one prefix', () => {
    expect(keys('list')).toEqual({ command: 'keys', action: 'list', tenant: undefined });
    expect(keys('list', '--tenant', 'default')).toEqual({ command: 'keys', action: 'list', tenant: 'default' });
    expect(keys('revoke', 'lfk_Ab12Cd34')).toEqual({ command: 'keys', action: 'revoke', prefix: 'lfk_Ab12Cd34' });
  });

  it.each([
    [[], 'say what to do with keys: create, list, revoke or rotate'],
    [['delete', 'lfk_Ab12Cd34'], 'unknown keys command "delete": use create, list, revoke or rotate'],
    [['create', '--tenant', 'acme', '--role', 'root'], 'keys create needs --role admin|uploader|viewer'],
    [['create', '--tenant', 'ACME', '--role', 'admin'], '--tenant: a tenant name is 1 to 63 lower-case letters'],
    [['create', '--tenant', 'acme', '--role', 'admin', '--expires', '31/01/2027'], '--expires "31/01/2027" is not a date'],
    [['create', '--tenant', 'acme', '--role', 'admin', '--expires', '2027-02-30'], '--expires "2027-02-30" is not a date'],
    [['create', '--tenant', 'acme', '--role', 'admin', 'extra'], 'keys create takes options only'],
    [['revoke'], 'keys revoke takes one PREFIX'],
    [['revoke', 'lfk_Ab12Cd34', '--expires', '2027-01-01'], 'unknown option "--expires" for keys revoke'],
    [['rotate', 'lfk_Ab12Cd34', '--expires', '2026-05-31'], '--expires 2026-05-31 is past'],
  ])('refuses keys %j as a usage mistake naming it', (words, message) => {
    expect(() => keys(...words)).toThrow(UsageError);
    expect(() => keys(...words)).toThrow(message);
  });
});

describe('leadflow dnc import arguments', () => {
  const dnc = (...words: string[]) => parseArgs(['dnc', 'import', ...words], NOW);

  it('reads files, the list (state:xx as state:XX), the snapshot and the mode', () => {
    expect(dnc('201.txt', '212.txt.gz', '--list', 'national', '--snapshot', '2026-05-31', '--replace')).toEqual({
      command: 'dnc', action: 'import', files: ['201.txt', '212.txt.gz'], list: 'national', snapshot: '2026-05-31', mode: 'replace',
    });
    expect(dnc('c.txt', '--list=state:tx', '--changes')).toMatchObject({ list: 'state:TX', mode: 'changes', snapshot: undefined });
    expect(dnc('i.txt', '--list', 'internal')).toMatchObject({ list: 'internal', mode: 'add' });
  });

  it('refuses what it cannot do, saying why', () => {
    expect(() => dnc('a.txt')).toThrow(new UsageError('dnc import needs --list national|national-ca|state:XX|litigator|wireless|internal|suppression:email|suppression:domain|suppression:phone'));
    expect(() => dnc('a.txt', '--list', 'state:texas')).toThrow(/is no list/);
    expect(() => dnc('a.txt', '--list', 'national', '--replace', '--changes')).toThrow(/exclude each other/);
    expect(() => dnc('a.txt', '--list', 'national', '--snapshot', '2026-02-30')).toThrow(/is not a date/);
    expect(() => dnc('a.txt', '--list', 'national', '--snapshot', '2026-06-02')).toThrow(/is to come/);
    expect(() => dnc('--list', 'national')).toThrow(new UsageError('name the files to import'));
    expect(() => parseArgs(['dnc', 'export'], NOW)).toThrow(/unknown dnc command "export"/);
  });
});
