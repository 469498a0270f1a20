/**
 * Which partitions of a KafkaSource's topics need an initial committed offset, and which one. Pure: the I/O
 * (reading the group's offsets and the watermarks, committing) is in initial-offsets.ts.
 *
 * Why commit at all: a consumer group with no committed offset resolves `initialOffset` again every time it
 * joins. With `latest`, records produced after the source turned Ready but before the adapter's first commit
 * would be skipped by a restarted adapter. Committing the position up front pins what "latest" meant once.
 */

export type InitialOffset = 'earliest' | 'latest';

/** A group's committed offsets per topic, as kafkajs' admin.fetchOffsets returns them ('-1' = none). */
export interface CommittedOffsets {
  topic: string;
  partitions: { partition: number; offset: string }[];
}

/** A topic's watermarks, as kafkajs' admin.fetchTopicOffsets returns them. */
export interface TopicWatermarks {
  topic: string;
  partitions: { partition: number; low: string; high: string }[];
}

export interface InitialCommit {
  topic: string;
  partition: number;
  offset: string;
  /** Which watermark, and why: for the log line and the tests. */
  from: 'low' | 'high';
  because: 'initialOffset' | 'topic already consumed';
}

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** Kafka reports "no committed offset" as -1; a committed offset is never negative. */
export function hasCommit(offset: string): boolean {
  return !offset.trim().startsWith('-') && offset.trim() !== '';
}

/** Partitions without a committed offset, by topic; topics with none left out. */
export function uncommittedPartitions(committed: readonly CommittedOffsets[]): TopicPartitions[] {
  return committed
    .map(({ topic, partitions }) => ({
      topic,
      partitions: partitions
        .filter((p) => !hasCommit(p.offset))
        .map((p) => p.partition)
        .sort((a, b) => a - b),
    }))
    .filter((t) => t.partitions.length > 0);
}

/**
 * The commits to make. A partition that already has a committed offset is never touched. For one that has none:
 * - if another partition of the same topic has a commit, the group has been consuming the topic and this
 *   partition was added later (the topic grew): every record in it came after the source started, so it starts
 *   at its low watermark whatever `initialOffset` says (nothing produced to it is skipped);
 * - otherwise the topic is new to the group: `earliest` → low watermark, `latest` → high watermark (the offset
 *   the next record gets).
 * A partition missing from `watermarks` (metadata changed between the two reads) is left for the next pass.
 */
export function planInitialCommits(
  committed: readonly CommittedOffsets[],
  watermarks: readonly TopicWatermarks[],
  initialOffset: InitialOffset,
): InitialCommit[] {
  const out: InitialCommit[] = [];
  for (const { topic, partitions } of committed) {
    const missing = partitions.filter((p) => !hasCommit(p.offset));
    if (missing.length === 0) continue;
    const consumed = missing.length < partitions.length;
    const from: 'low' | 'high' = consumed || initialOffset === 'earliest' ? 'low' : 'high';
    const marks = watermarks.find((w) => w.topic === topic)?.partitions ?? [];
    for (const { partition } of [...missing].sort((a, b) => a.partition - b.partition)) {
      const mark = marks.find((m) => m.partition === partition);
      if (mark === undefined) continue;
      out.push({ topic, partition, offset: mark[from], from, because: consumed ? 'topic already consumed' : 'initialOffset' });
    }
  }
  return out;
}
