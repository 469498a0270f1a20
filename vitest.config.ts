import { configDefaults, defineConfig } from 'vitest/config';
import { parallelFiles } from './test/support/lanes.js';

// Unit tests need nothing running; integration and e2e tests need the local environment from `hack/env.sh up`
// (real apiserver, Kafka, Redis, NATS); faults restart servers of their own.
//
// The integration and e2e files are two projects, one per lane (test/support/lanes.ts, docs/testing.md):
// `integration-alone` (every file not listed as parallel, a new one too) runs one file at a time, first;
// `integration-parallel` runs the listed files two at a time after it. The tests mostly wait on servers, so two
// workers nearly halve the wall time even on two cores. Run both with `--project 'integration-*'`.
const integration = {
  environment: 'node',
  testTimeout: 120_000,
  hookTimeout: 180_000,
} as const;
const integrationFiles = ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration-alone',
          include: integrationFiles,
          exclude: [...configDefaults.exclude, ...parallelFiles],
          ...integration,
          fileParallelism: false,
          // Groups run one after the other; a project's worker count may differ from the others' only in another group.
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'integration-parallel',
          include: [...parallelFiles],
          ...integration,
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 300_000,
          // Faults restart servers and count every event: one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
