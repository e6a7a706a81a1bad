#!/usr/bin/env node
/**
 * `npm run bench:dnc [-- --numbers N] [--seconds S]`: the Do-Not-Call lists at registry scale
 * (docs/dnc-lists.md, "Benchmark"). Generates, streaming (nothing written to disk), a national
 * registry of N numbers (default 258.5 million, the FTC's size) as the FTC's `areacode,number`
 * lines, sorted by area code as its downloads are, spread over real area codes; loads it as a
 * replacement of the national list into PostgreSQL, builds its Redis copy, reads Redis's memory,
 * then screens random numbers from one process with the dnc service's code. Appends the result to
 * libs/bench/DNC-RESULTS.md. Uses a database and a Redis db of its own (never the tests' lists).
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { createDncStage, type DncCheck } from '@leadflow/dnc';
import { infraDown, infraUp, repoRoot } from '@leadflow/infra';
import { emptyLead, leadIdFor } from '@leadflow/pipeline';
import { Disposition, type LeadBatch } from '@leadflow/proto';
import {
  createDncBitmapCache, createPostgres, createRedis, createRedisDncRegistry, createSqlDncExemptions, dncListMigrations, migrate, type DncFilePart,
} from '@leadflow/stores';

/** Area codes of the United States and Canada in service, by state or province; the first of each line is its most populous. */
const AREA_CODES = `205 251 256 334 659 938 907 480 520 602 623 928 479 501 870 209 213 310 323 408 415 424 442 510 530 559 562 619 626 628 650 657 661 669 707 714 747 760 805 818 820 831 858 909 916 925 949 951
303 719 720 970 203 475 860 959 302 202 239 305 321 352 386 407 561 689 727 754 772 786 813 850 863 904 941 954 229 404 470 478 678 706 762 770 912 808 208 986 217 224 309 312 331 447 464 618 630 708 773 779 815 847 872
219 260 317 463 574 765 812 930 319 515 563 641 712 316 620 785 913 270 364 502 606 859 225 318 337 504 985 207 227 240 301 410 443 667 339 351 413 508 617 774 781 857 978 231 248 269 313 517 586 616 679 734 810 906 947 989
218 320 507 612 651 763 952 228 601 662 769 314 417 573 636 660 816 406 308 402 531 702 725 775 603 201 551 609 640 732 848 856 862 908 973 505 575 212 315 332 347 516 518 585 607 631 646 680 716 718 838 845 914 917 929 934
252 336 704 743 828 910 919 980 984 701 216 220 234 326 330 380 419 440 513 567 614 740 937 405 539 572 580 918 458 503 541 971 215 223 267 272 412 445 484 570 582 610 717 724 814 878 401 803 839 843 854 864 605 423 615 629 731 865 901 931
210 214 254 281 325 346 361 409 430 432 469 512 682 713 726 737 806 817 830 832 903 915 936 940 945 956 972 979 385 435 801 802 276 434 540 571 703 757 804 826 948 206 253 360 425 509 564 304 681 262 274 414 534 608 715 920 307
204 226 236 249 250 289 306 343 365 403 416 418 431 437 438 450 506 514 519 548 579 581 587 604 613 639 647 672 705 709 742 778 780 782 807 819 825 867 873 902 905`
  .split(/\s+/)
  .filter(Boolean)
  .map(Number);

/** A deterministic generator (mulberry32): the same registry every run. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Numbers per area code: uneven, as the registry's are (a big city's codes hold several times a rural one's). */
function spread(total: number): Map<number, number> {
  const rnd = random(13);
  const weights = AREA_CODES.map(() => 0.25 + rnd() * rnd() * 3);
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = new Map<number, number>();
  let left = total;
  AREA_CODES.forEach((ac, i) => {
    const n = i === AREA_CODES.length - 1 ? left : Math.min(left, Math.min(7_500_000, Math.round((total * weights[i]!) / sum)));
    counts.set(ac, n);
    left -= n;
  });
  return counts;
}

/** `000` to `999` and `0000` to `9999` as ASCII digits, each in its 3 or 4 bytes. */
const DIGITS3 = Buffer.from(Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0')).join(''));
const DIGITS4 = Buffer.from(Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0')).join(''));

/** The registry as the FTC's flat file lines, `201,5550123`, ascending, in chunks of about 1 MB. */
async function* registry(counts: Map<number, number>): AsyncGenerator<Buffer> {
  const rnd = random(7);
  const LINE = 12;
  const CHUNK = 87_381;
  let buf = Buffer.allocUnsafe(CHUNK * LINE);
  let at = 0;
  for (const [ac, n] of [...counts].sort((a, b) => a[0] - b[0])) {
    // n numbers among the 8 million of exchanges 200-999, by random gaps averaging 8,000,000 / n.
    const gap = 8_000_000 / Math.max(n, 1);
    let sub = 2_000_000;
    const a0 = 48 + Math.floor(ac / 100);
    const a1 = 48 + (Math.floor(ac / 10) % 10);
    const a2 = 48 + (ac % 10);
    for (let i = 0; i < n; i++) {
      sub += 1 + Math.floor(rnd() * (2 * gap - 1));
      if (sub > 9_999_999) sub = 9_999_999 - (n - i);
      buf[at] = a0;
      buf[at + 1] = a1;
      buf[at + 2] = a2;
      buf[at + 3] = 44;
      // The seven digits from two tables (three and four digits): generating stays a small part of the import's time.
      const hi = Math.floor(sub / 10_000);
      const lo = sub - hi * 10_000;
      buf[at + 4] = DIGITS3[hi * 3]!;
      buf[at + 5] = DIGITS3[hi * 3 + 1]!;
      buf[at + 6] = DIGITS3[hi * 3 + 2]!;
      buf[at + 7] = DIGITS4[lo * 4]!;
      buf[at + 8] = DIGITS4[lo * 4 + 1]!;
      buf[at + 9] = DIGITS4[lo * 4 + 2]!;
      buf[at + 10] = DIGITS4[lo * 4 + 3]!;
      buf[at + 11] = 10;
      at += LINE;
      if (at === buf.length) {
        yield buf;
        buf = Buffer.allocUnsafe(CHUNK * LINE);
        at = 0;
      }
    }
  }
  if (at > 0) yield buf.subarray(0, at);
}

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} needs a positive number`);
  return value;
}

const say = (line: string) => process.stderr.write(`${line}\n`);
/** CPU seconds (user + system) this process used since `from`: a figure that holds on a machine others load. */
const cpuSeconds = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
};
/** The DNC_BITMAP_CACHE_MB default of the dnc service (services/dnc/src/bitmap-cache-config.ts). */
const BITMAP_CACHE_MB = 1024;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main() {
  const total = Math.floor(option('--numbers', 258_500_000));
  const seconds = option('--seconds', 10);
  const loadBefore = loadavg();
  const infra = await infraUp((l) => say(`[infra] ${l}`));
  // A database and a Redis db of the benchmark's own: the tests' national list is never replaced.
  const admin = createPostgres({ url: infra.env.DATABASE_URL });
  await admin.query('CREATE DATABASE leadflow_dnc_bench').catch(() => {});
  await admin.close();
  const url = new URL(infra.env.DATABASE_URL);
  url.pathname = '/leadflow_dnc_bench';
  const db = createPostgres({ url: url.toString(), applicationName: 'leadflow-dnc-bench' });
  const redisUrl = new URL(infra.env.REDIS_URL);
  redisUrl.pathname = '/7';
  const redis = createRedis({ url: redisUrl.toString(), name: 'leadflow-dnc-bench' });
  try {
    await migrate(db, dncListMigrations);
    await redis.flushdb();
    const memory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
    const memBefore = await memory();
    // As the dnc service screens (services/dnc/src/main.ts): versions read once a second, bitmaps held in memory.
    const bitmapCache = createDncBitmapCache(BITMAP_CACHE_MB * 1024 * 1024);
    const reg = createRedisDncRegistry(redis, db, { versionsTtlMs: 1000, bitmapCache });
    const counts = spread(total);

    say(`importing ${fmt(total)} numbers over ${counts.size} area codes...`);
    const { loadDncList } = await import('@leadflow/stores');
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    async function* parts(): AsyncGenerator<DncFilePart> {
      yield { name: 'generated registry', chunks: registry(counts) };
    }
    const loaded = await loadDncList(db, { kind: 'national', owner: '', mode: 'replace', source: 'dnc bench', normalize: () => undefined }, parts());
    const importSeconds = (performance.now() - t0) / 1000;
    const importCpu = cpuSeconds(c0);
    say(`imported in ${importSeconds.toFixed(1)} s (${importCpu.toFixed(1)} CPU s of this process, generating the lines included): ${fmt(total / importSeconds)} numbers/s, ${fmt(total / importCpu)} per CPU second; size ${fmt(loaded.size)}`);

    const t1 = performance.now();
    await reg.warm();
    const redisSeconds = (performance.now() - t1) / 1000;
    const memAfter = await memory();
    say(`Redis copy built in ${redisSeconds.toFixed(1)} s; used_memory ${fmt(memAfter - memBefore)} bytes`);

    // Screening through the dnc stage (createDncStage, what the dnc service runs per batch): batches of 500 rows, each
    // a random number (about a tenth listed at full size), 4 in flight, for `seconds` after one warm-up pass. The stage
    // looks up exemptions in PostgreSQL for the listed ones, as the service does; its audit checks are counted, not
    // written (the audit's write is PostgreSQL's, measured apart).
    let checks = 0;
    const stage = createDncStage({
      registry: reg,
      exemptions: createSqlDncExemptions(db),
      audit: { record: async (c: readonly DncCheck[]) => void (checks += c.length) },
    });
    const rnd = random(99);
    let seq = 0;
    const batch = (): LeadBatch => {
      const jobId = `bench-${seq++}`;
      return {
        job: { jobId, tenantId: 'bench', supplier: '', webhookUrl: '', fileName: '', sheet: '', review: false },
        seq: 0, header: [], mapping: [], last: false, totalRows: 0, failure: undefined,
        rows: Array.from({ length: 500 }, (_, i) => ({
          rowNumber: i + 1,
          lead: { ...emptyLead(), phone: `+1${AREA_CODES[Math.floor(rnd() * AREA_CODES.length)]}${2_000_000 + Math.floor(rnd() * 8_000_000)}` },
          disposition: Disposition.DISPOSITION_ACCEPTED, reasons: [], tags: [], qualityScore: 0, match: undefined, raw: [], leadId: leadIdFor(jobId, i + 1),
        })),
      };
    };
    // Each of the 4 in flight cycles through 32 batches made beforehand (160 MB of rows in all would be too many to make
    // afresh): a batch is set back to accepted before it goes again, so the time is the stage's, not the making of rows.
    const pools = Array.from({ length: 4 }, () => Array.from({ length: 32 }, batch));
    const run = async (forSeconds: number) => {
      let screened = 0;
      let listed = 0;
      const until = performance.now() + forSeconds * 1000;
      await Promise.all(
        pools.map(async (pool) => {
          for (let i = 0; i < 1_000_000 && performance.now() < until; i++) {
            const b = pool[i % pool.length]!;
            for (const r of b.rows) {
              r.disposition = Disposition.DISPOSITION_ACCEPTED;
              r.reasons = [];
            }
            const out = await stage(b);
            screened += b.rows.length;
            listed += out.rows.filter((r) => r.disposition === Disposition.DISPOSITION_SUPPRESSED).length;
          }
        }),
      );
      return { screened, listed };
    };
    // Warm-up: the replica's bitmaps read from Redis as the numbers meet them (as a dnc replica does after its start).
    // Passes of a second until one adds no bitmap (every area code met is held), at most two minutes.
    const tw = performance.now();
    for (let pass = 0, before = -1; pass < 120 && bitmapCache.size() !== before; pass++) {
      before = bitmapCache.size();
      await run(1);
    }
    const warmSeconds = (performance.now() - tw) / 1000;
    say(`warm-up ${warmSeconds.toFixed(1)} s: ${bitmapCache.size()} bitmaps held (${fmt(bitmapCache.bytes() / 1e6)} MB)`);
    const t2 = performance.now();
    const c2 = process.cpuUsage();
    const { screened, listed } = await run(seconds);
    const screenSeconds = (performance.now() - t2) / 1000;
    const screenCpu = cpuSeconds(c2);
    say(
      `screened ${fmt(screened)} numbers in ${screenSeconds.toFixed(1)} s (${screenCpu.toFixed(1)} CPU s): ` +
        `${fmt(screened / screenSeconds)} numbers/s, ${fmt(screened / screenCpu)} per CPU second (${fmt(listed)} suppressed, ${fmt(checks)} checks)`,
    );

    const file = join(repoRoot(), 'libs/bench/DNC-RESULTS.md');
    if (!existsSync(file)) {
      writeFileSync(
        file,
        '# DNC lists at registry scale: results\n\nAppended by `npm run bench:dnc` (libs/bench/src/dnc-bench.ts; docs/dnc-lists.md, "Benchmark"). ' +
          'Goals (issue 13): import ≥ 2,000,000 numbers/s; Redis memory ≤ 1.25 GB for the national list; screening ≥ 500,000 numbers/s from one replica.\n\n' +
          '| date | numbers | area codes | import (PostgreSQL) | Redis build | Redis used_memory | screening (batches of 500, 4 in flight) | machine | load avg before / after |\n|---|---|---|---|---|---|---|---|---|\n',
      );
    }
    const cpu = cpus();
    appendFileSync(
      file,
      `| ${new Date().toISOString().slice(0, 16)}Z | ${fmt(total)} | ${counts.size} | ${fmt(total / importSeconds)}/s (${importSeconds.toFixed(1)} s); ` +
        `${fmt(total / importCpu)}/CPU s (${importCpu.toFixed(1)} CPU s) | ${redisSeconds.toFixed(1)} s | ` +
        `${(memAfter - memBefore) / 1e6 >= 1 ? `${fmt((memAfter - memBefore) / 1e6)} MB` : `${fmt(memAfter - memBefore)} B`} | ` +
        `${fmt(screened / screenSeconds)}/s; ${fmt(screened / screenCpu)}/CPU s (dnc stage, bitmaps in memory) | ` +
        `${cpu.length} × ${cpu[0]?.model.trim() ?? '?'}, ${fmt(totalmem() / 2 ** 30)} GiB, shared | ${loadBefore.map((l) => l.toFixed(1)).join(' ')} / ${loadavg().map((l) => l.toFixed(1)).join(' ')} |\n`,
    );
    say(`appended to ${file}`);
    await redis.flushdb();
    await db.query(`DELETE FROM dnc_list_blocks`);
  } finally {
    await redis.quit().catch(() => {});
    await db.close();
    // What this run started is stopped (by process id), as the other benchmarks do: a server left
    // on the project's ports would stand in the way of the next test run.
    if (infra.started.length > 0) await infraDown(infra.started, (l) => say(`[infra] ${l}`));
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    say(`bench:dnc failed: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
