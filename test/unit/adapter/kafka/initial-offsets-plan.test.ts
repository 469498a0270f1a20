import { describe, expect, it } from 'vitest';
import {
  type CommittedOffsets,
  hasCommit,
  planInitialCommits,
  type TopicWatermarks,
  uncommittedPartitions,
} from '../../../../adapter/kafka/initial-offsets-plan.js';

const none = '-1';
const marks = (topic: string, n: number): TopicWatermarks => ({
  topic,
  partitions: Array.from({ length: n }, (_, partition) => ({ partition, low: String(10 + partition), high: String(100 + partition) })),
});
const group = (topic: string, offsets: string[]): CommittedOffsets => ({ topic, partitions: offsets.map((offset, partition) => ({ partition, offset })) });

describe('hasCommit', () => {
  it('Kafka reports a missing commit as -1; 0 and up are commits', () => {
    expect(hasCommit('-1')).toBe(false);
    expect(hasCommit('')).toBe(false);
    expect(hasCommit('0')).toBe(true);
    expect(hasCommit('9223372036854775806')).toBe(true);
  });
});

describe('uncommittedPartitions', () => {
  it('lists the partitions without a commit per topic, sorted, and leaves fully committed topics out', () => {
    expect(uncommittedPartitions([group('a', ['5', none, none]), group('b', ['1', '2']), { topic: 'c', partitions: [{ partition: 2, offset: none }, { partition: 0, offset: none }] }])).toEqual([
      { topic: 'a', partitions: [1, 2] },
      { topic: 'c', partitions: [0, 2] },
    ]);
  });
});

describe('planInitialCommits', () => {
  it('latest on a topic new to the group: every partition at its high watermark', () => {
    expect(planInitialCommits([group('t', [none, none])], [marks('t', 2)], 'latest')).toEqual([
      { topic: 't', partition: 0, offset: '100', from: 'high', because: 'initialOffset' },
      { topic: 't', partition: 1, offset: '101', from: 'high', because: 'initialOffset' },
    ]);
  });

  it('earliest on a topic new to the group: every partition at its low watermark', () => {
    expect(planInitialCommits([group('t', [none, none])], [marks('t', 2)], 'earliest')).toEqual([
      { topic: 't', partition: 0, offset: '10', from: 'low', because: 'initialOffset' },
      { topic: 't', partition: 1, offset: '11', from: 'low', because: 'initialOffset' },
    ]);
  });

  it('never touches a partition that has a committed offset, even 0', () => {
    expect(planInitialCommits([group('t', ['0', '7'])], [marks('t', 2)], 'latest')).toEqual([]);
    expect(planInitialCommits([group('t', ['0', '7'])], [marks('t', 2)], 'earliest')).toEqual([]);
  });

  it('a partition added to a topic the group already consumes starts at its low watermark, even with latest', () => {
    expect(planInitialCommits([group('t', ['42', '43', none])], [marks('t', 3)], 'latest')).toEqual([
      { topic: 't', partition: 2, offset: '12', from: 'low', because: 'topic already consumed' },
    ]);
  });

  it('decides per topic: one consumed, one new', () => {
    const plan = planInitialCommits([group('old', ['3', none]), group('new', [none])], [marks('old', 2), marks('new', 1)], 'latest');
    expect(plan.map((c) => `${c.topic}/${c.partition}@${c.offset}`)).toEqual(['old/1@11', 'new/0@100']);
  });

  it('leaves a partition without watermarks (metadata moved between the reads) for the next pass', () => {
    expect(planInitialCommits([group('t', [none, none, none])], [marks('t', 2)], 'latest').map((c) => c.partition)).toEqual([0, 1]);
    expect(planInitialCommits([group('t', [none])], [], 'latest')).toEqual([]);
  });
});
