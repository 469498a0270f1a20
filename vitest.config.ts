import { defineConfig } from 'vitest/config';
import { LaneSequencer } from './test/support/lane-sequencer.js';

// Three projects: unit tests need nothing running; integration and e2e tests need the local environment
// from `hack/env.sh up` (real apiserver, Kafka, Redis, NATS); faults restart servers of their own.
export default defineConfig({
  test: {
    sequence: {
      // Integration files of the `alone` lane first, then the parallel ones (test/support/lane-sequencer.ts).
      sequencer: LaneSequencer,
    },
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
          // Two files at a time: the tests mostly wait on servers, so two workers nearly halve the wall time
          // even on two cores. Which files may share the run is test/support/lanes.ts (rules for new files
          // there and in docs/testing.md): a file listed as `parallel` runs beside any other parallel file;
          // every other file (a new one too, until it is checked and listed) runs alone. The lane lock is
          // started by the globalSetup and taken by every file in the setupFile.
          maxWorkers: 2,
          globalSetup: ['test/support/lane-global-setup.ts'],
          setupFiles: ['test/support/lane-setup.ts'],
          // Its own group: a project's worker count may differ from the others' only in another group.
          sequence: { groupOrder: 1 },
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
