import { defineConfig } from 'vitest/config';

// Two projects: unit tests run anywhere in seconds; integration tests (*.int.test.ts) need
// Kafka, PostgreSQL and Redis, which the global setup starts on loopback (npm run infra).

// The one place tests configure the services they start (leadflow run and serve, the Kafka
// services of libs/infra inherit it): webhook receivers are http servers on loopback, which
// Leadflow refuses unless the operator allows them. A test of that refusal sets its own rules.
const TEST_ENV = { OUTBOUND_ALLOW_CIDRS: '127.0.0.0/8', OUTBOUND_ALLOW_HTTP: 'true' };

export default defineConfig({
  test: {
    reporters: ['default', './libs/testkit/src/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['{libs,services}/*/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**', '**/dist/**'],
          environment: 'node',
          env: TEST_ENV,
          // Timeouts catch a hang; they are not a speed test. The slowest set-up here, creating an
          // embedded PGlite database and migrating it, costs about 8 s of CPU: 20 s measured at a
          // load of 10 on 2 cores, and more while every core is busy. Hooks get the same bound as
          // tests (vitest's default of 10 s failed two suites on a loaded machine).
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['{libs,services}/*/src/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**'],
          environment: 'node',
          env: TEST_ENV,
          globalSetup: ['libs/testkit/src/global-setup.ts'],
          // Hang detectors too: the slowest test (5,000 rows through the eight services with two
          // of them killed and restarted) took 54 s at a load of 15 on 2 cores.
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
