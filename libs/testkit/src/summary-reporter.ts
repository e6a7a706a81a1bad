import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';

/** The closing line's counts. */
export interface RunCounts {
  passed: number;
  failed: number;
  skipped: number;
}

/** A suite or module that failed by itself: a hook (beforeAll, afterAll) or its import threw. */
const failedOutsideTests = (s: TestSuite | TestModule) => s.state() === 'failed' && s.errors().length > 0;

/** Whether a suite or module around the test failed by itself, so the test never ran. */
function suiteFailedAround(test: TestCase): boolean {
  for (let s: TestSuite | TestModule = test.parent; ; s = s.parent) {
    if (failedOutsideTests(s)) return true;
    if (s.type === 'module') return false;
  }
}

/**
 * Counts a run as its closing line states it. A test that did not run because its suite failed
 * first (a beforeAll that timed out, an import that threw) is failed, not skipped; a suite or
 * module that failed where no test did (an afterAll, a file without tests) counts once; so does
 * every error outside any test (an unhandled rejection). Only a test skipped on purpose
 * (`skip`, `todo`, or left out by a filter) is skipped.
 */
export function countRun(testModules: ReadonlyArray<TestModule>, unhandledErrors: number): RunCounts {
  const counts: RunCounts = { passed: 0, failed: unhandledErrors, skipped: 0 };
  for (const mod of testModules) {
    const failedTestsIn = new Map<TestSuite | TestModule, number>();
    for (const test of mod.children.allTests()) {
      const state = test.result().state;
      const failed = state === 'failed' || (state !== 'passed' && test.options.mode === 'run' && suiteFailedAround(test));
      if (failed) {
        counts.failed++;
        for (let s: TestSuite | TestModule = test.parent; ; s = s.parent) {
          failedTestsIn.set(s, (failedTestsIn.get(s) ?? 0) + 1);
          if (s.type === 'module') break;
        }
      } else if (state === 'passed') counts.passed++;
      else counts.skipped++;
    }
    for (const s of [mod, ...mod.children.allSuites()]) if (failedOutsideTests(s) && !failedTestsIn.has(s)) counts.failed++;
  }
  return counts;
}

export const closingLine = ({ passed, failed, skipped }: RunCounts) =>
  `tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;

/**
 * Prints one closing line, `tests: N passed, N failed[, N skipped]`, over every project of the
 * run, for CI tools that read a run's last line.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    process.stdout.write(`\n${closingLine(countRun(testModules, unhandledErrors.length))}\n`);
  }
}
