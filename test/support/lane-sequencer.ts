/**
 * File order for the lanes (test/support/lanes.ts): `alone` files of the integration project first, then the
 * parallel ones, each part in vitest's own order (failed first, then slowest first from the last run). Alone
 * files run one by one while the second worker waits anyway; put at the start they never make a worker
 * wait for a long parallel file to end, and the parallel part packs long files first.
 */
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { laneOf } from './lanes.js';

export class LaneSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const alone = (f: TestSpecification): boolean =>
      f.project.name === 'integration' && laneOf(relative(f.project.config.root, f.moduleId)) === 'alone';
    return [...sorted.filter(alone), ...sorted.filter((f) => !alone(f))];
  }
}
