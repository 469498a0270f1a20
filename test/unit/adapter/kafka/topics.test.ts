import { describe, expect, it } from 'vitest';
import { missingTopics } from '../../../../adapter/kafka/topics.js';

describe('missingTopics', () => {
  it('lists the wanted topics the cluster lacks, in the order wanted', () => {
    expect(missingTopics(['b', 'a', 'c'], ['a', 'x'])).toEqual(['b', 'c']);
    expect(missingTopics(['a'], ['a'])).toEqual([]);
    expect(missingTopics([], [])).toEqual([]);
  });
});
