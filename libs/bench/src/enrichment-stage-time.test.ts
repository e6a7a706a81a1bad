import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvRecords, enrichmentStageTime } from './enrichment-stage-time.js';

const dir = mkdtempSync(join(tmpdir(), 'enrichment-stage-time-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('csvRecords', () => {
  it('reads quoted cells with commas, doubled quotes and line breaks', () => {
    expect(csvRecords('a,b,c\r\n1,"x, ""y""","line\nbreak"\r\n,,\n')).toEqual([['a', 'b', 'c'], ['1', 'x, "y"', 'line\nbreak'], ['', '', '']]);
  });
});

describe('enrichmentStageTime', () => {
  it("times the enrichment stage on a run's leads.csv, one figure a run", async () => {
    const file = join(dir, 'leads.csv');
    writeFileSync(file, 'row,email,phone,phone_type,company,job_title,state,postal_code,country,Notes\r\n' +
      '1,ann@bluewaterplumbing.com,+12125550123,unknown,Bluewater Plumbing LLC,Office Manager,NY,10001,US,"call, later"\r\n' +
      '2,bob@gmail.com,,,,"VP of Sales",TX,,US,\r\n');
    const t = await enrichmentStageTime(file, 2);
    expect(t).toMatchObject({ leads: 2, runs: 2 });
    expect(t!.best).toBeGreaterThanOrEqual(0);
    expect(t!.median).toBeGreaterThanOrEqual(t!.best);
  });

  it('answers nothing without a file', async () => {
    expect(await enrichmentStageTime(join(dir, 'missing.csv'))).toBeUndefined();
  });
});
