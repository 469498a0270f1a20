/**
 * vitest setupFile of the `integration` project: every test file holds the lane lock for its lane
 * (test/support/lanes.ts) from before its first hook until after its last one. Registered before the file's
 * own hooks, so with `sequence.hooks: 'stack'` the release runs after the file's afterAll cleanup.
 */
import { relative } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { testEnv } from './env.js';
import { acquireLane } from './lane-lock.js';
import { laneOf } from './lanes.js';

let release: (() => void) | undefined;

// An alone file may wait for the longest parallel file running beside it to end.
const waitForLaneMs = 30 * 60_000;

// biome-ignore lint/correctness/noEmptyPattern: vitest parses the first argument as fixtures and needs a destructuring pattern
beforeAll(async ({}, suite) => {
  const url = inject('laneLockUrl');
  // Run without the globalSetup (another config, a single file through an IDE plugin): no lanes to keep.
  if (!url) return;
  const file = relative(testEnv.repoRoot, suite.file.filepath);
  release = await acquireLane(url, laneOf(file), file);
}, waitForLaneMs);

afterAll(() => {
  release?.();
  release = undefined;
});
