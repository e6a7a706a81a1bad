/**
 * Seeds for the generated lead files of the end-to-end tests. Each run takes a new seed, so the
 * files keep finding new coincidences; a seed that made a run fail joins REGRESSION_SEEDS, so
 * that every later run checks it again.
 */

/** The variable that replays a run: the seed every generated file of a test file derives from. */
export const SEED_VARIABLE = 'LEADFLOW_TEST_SEED';

/** The seed of a test file's generated input: LEADFLOW_TEST_SEED when set, else a new one each run. */
export function testSeed(): number {
  const fixed = process.env[SEED_VARIABLE];
  if (fixed === undefined || fixed === '') return Date.now() % 100_000;
  if (!/^\d{1,9}$/.test(fixed)) throw new Error(`${SEED_VARIABLE} must be a whole number (the seed a failed run names), got "${fixed}"`);
  return Number(fixed);
}

/** What a failure says to run it again: the same seed, the same test file. */
export const replayHint = (seed: number, testFile: string) =>
  `seed ${seed}; replay with: ${SEED_VARIABLE}=${seed} npx vitest run --project integration ${testFile}`;

export interface RegressionSeed {
  /** The seed of the generated file itself (generateLeadFile's seed). */
  seed: number;
  /**
   * Rows to generate: through the last row once filed wrong. A file is the same row by row
   * whatever its length, and a row is matched only with the rows before it.
   */
  rows: number;
  /** What the file once got wrong, and the commit that fixed it. */
  found: string;
}

/**
 * Generated files that once got a row wrong (`git log --all --format=%B | grep -i seed`); each
 * files its rows wrong again on the code before its fix (checked with leadflow run there).
 */
export const REGRESSION_SEEDS: readonly RegressionSeed[] = [
  {
    seed: 10, rows: 2800,
    found: 'row 2781, Carla Zimmermann of 4006 Sycamore Drive, taken for Carla Delacroix of 4106, same employer and town (fixed by b86e8ce)',
  },
  {
    seed: 55, rows: 3200,
    found: 'row 3194, Elizabeth Mbeki of 8943 Kingsley Road, Atlanta 30332, taken for the one of 8143, 30317 (fixed by fc32720)',
  },
  {
    seed: 59524, rows: 4450,
    found:
      'row 3620, Ines Grünewald of 792 Ridgeview Lane, taken for her of 6602 Ridgeview Avenue; row 4430, Lucia Zielinski of 5731 Aspen Lane, ' +
      'for Viktor Zielinski of 731 (the Kafka crash test; fixed by 0a4289d)',
  },
];
