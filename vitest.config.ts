import { defineConfig } from 'vitest/config';

// Two projects: unit tests need nothing running; integration and e2e tests need the
// local environment from `hack/env.sh up` (real apiserver, Kafka, Redis, NATS).
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
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // The servers are shared: run files one at a time so they do not fight over topics, groups and the controller.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 300_000,
          // Faults restart shared servers and count every event: one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
