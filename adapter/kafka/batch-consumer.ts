/**
 * The Kafka consume loop shared by the KafkaSource adapter and the Kafka EventBus backend: `eachBatch` with
 * manual offset resolution. A record's offset is resolved (and so committed by kafkajs) only after its
 * handler resolved; a rejected handler is retried with a backoff, in place, until it succeeds or the
 * consumer stops — the offset never moves past a record that is not safe.
 *
 * - ordered: records of a partition one after another (partitions still run in parallel);
 * - unordered: up to `concurrency` records of a batch at once; only the contiguous delivered prefix is resolved.
 */
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { backoffDelay, sleep } from '../../lib/backoff.js';
import type { Logger } from '../../lib/log.js';
import { CommitPacer } from './commit-pacer.js';
import { ContiguousPrefix } from './commit-tracker.js';

export type Ordering = 'ordered' | 'unordered';

export interface KafkaRecord {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export interface BatchConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  fromBeginning: boolean;
  ordering: Ordering;
  /**
   * unordered: records in flight at once in this consumer, split evenly among the partition batches it runs at
   * once (so the split follows the assignment: 64 over 8 partitions is 8 per batch, over 1 partition 64).
   */
  concurrency?: number;
  /** Partitions handled at once by this consumer instance (default: defaultPartitionsConcurrently). */
  partitionsConcurrently?: number;
  handle: (record: KafkaRecord) => Promise<void>;
  log: Logger;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface RunningConsumer {
  /** Stops fetching, abandons retries, commits what was delivered, leaves the group. */
  stop(): Promise<void>;
  /** Rejects when the consumer crashed and kafkajs will not restart it. */
  readonly done: Promise<void>;
}

/** kafkajs calls heartbeat() only when we do; a slow sink must not get us thrown out of the group. */
const heartbeatEveryMs = 3000;
/**
 * Partitions handled at once. Ordered mode has one record in flight per partition, so this is its whole
 * concurrency: at 4, a topic of 8 partitions had 4 events on the wire at a time, bound by the sink's round trip.
 * Unordered mode has `concurrency` records in flight per partition, and the emitter bounds the process; at 4,
 * records of the other partitions of a fetch waited for a partition's batch to finish (latency at half rate).
 */
export const defaultPartitionsConcurrently: Readonly<Record<Ordering, number>> = { ordered: 16, unordered: 16 };
/** Resolved offsets are committed inside long batches this often: what a crash replays is about this much. */
const commitEveryMs = 1000;

export async function startBatchConsumer(opts: BatchConsumerOptions): Promise<RunningConsumer> {
  const { log } = opts;
  const retryBaseMs = opts.retryBaseMs ?? 500;
  const retryMaxMs = opts.retryMaxMs ?? 30_000;
  const stopping = new AbortController();
  const consumer: Consumer = opts.kafka.consumer({
    groupId: opts.groupId,
    // Short enough that a killed adapter's partitions move to its replacement within seconds (broker minimum is 6 s).
    sessionTimeout: 10_000,
    heartbeatInterval: heartbeatEveryMs,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 30_000 },
  });
  const partitionsConcurrently = Math.max(1, opts.partitionsConcurrently ?? defaultPartitionsConcurrently[opts.ordering]);
  /** Partitions assigned to this member (GROUP_JOIN); 1 until the first join, which comes before any batch. */
  let assigned = 1;
  const pacer = new CommitPacer(commitEveryMs, (err) => log.debug('offset commit failed; the next one covers the same offsets', { err }));

  /** true = delivered; false = the consumer is stopping or the batch went stale: leave it unresolved. */
  const deliver = async (record: KafkaRecord, still: () => boolean): Promise<boolean> => {
    for (let attempt = 1; ; attempt++) {
      if (stopping.signal.aborted || !still()) return false;
      try {
        await opts.handle(record);
        return true;
      } catch (err) {
        const delay = backoffDelay(attempt, { policy: 'exponential', baseMs: retryBaseMs, maxMs: retryMaxMs, jitter: 0.2 });
        log.warn('record not delivered, retrying (offset not committed)', {
          topic: record.topic,
          partition: record.partition,
          offset: record.message.offset,
          attempt,
          delayMs: delay,
          err,
        });
        try {
          await sleep(delay, stopping.signal);
        } catch {
          return false;
        }
      }
    }
  };

  const eachBatch = async (p: EachBatchPayload): Promise<void> => {
    const { batch } = p;
    const still = (): boolean => p.isRunning() && !p.isStale();
    // Everything resolved in the group member so far (every partition), as kafkajs' autoCommit would send it.
    const commit = (): Promise<void> => p.commitOffsetsIfNecessary(p.uncommittedOffsets());
    const beat = setInterval(() => {
      p.heartbeat().catch((err: unknown) => log.debug('heartbeat failed', { err }));
    }, heartbeatEveryMs);
    try {
      if (opts.ordering === 'ordered') {
        for (const message of batch.messages) {
          const ok = await deliver({ topic: batch.topic, partition: batch.partition, message }, still);
          if (!ok) return;
          p.resolveOffset(message.offset);
          pacer.poke(commit);
        }
        return;
      }
      const tracker = new ContiguousPrefix(batch.messages.map((m) => m.offset));
      // A few workers walking the batch in order: bounded parallelism without a queued closure per record.
      const { messages } = batch;
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < messages.length) {
          const index = next++;
          const message = messages[index]!;
          const ok = await deliver({ topic: batch.topic, partition: batch.partition, message }, still);
          if (!ok) return; // stopping, or the batch went stale: the rest would not be delivered either
          const resolvable = tracker.markDone(index);
          if (resolvable !== undefined && still()) {
            p.resolveOffset(resolvable);
            // Commit progress inside a long batch too, not only at its end: a crash then replays seconds, not the batch.
            pacer.poke(commit);
          }
        }
      };
      // Each partition's share of the consumer's bound. With a fixed count per batch, 16 partitions × 32 workers
      // queued ~450 of them on the emitter's 64 slots (a promise each per record; bench/README.md), and a
      // Trigger's Kafka input, which has no emitter, had 16 × 64 requests on the wire.
      const share = Math.ceil(Math.max(1, opts.concurrency ?? 16) / Math.max(1, Math.min(assigned, partitionsConcurrently)));
      const workers = Math.min(share, messages.length);
      await Promise.all(Array.from({ length: workers }, worker));
      // Not awaited: kafkajs fetches again only when every batch of the last fetch has returned.
      if (still()) pacer.poke(commit);
    } finally {
      clearInterval(beat);
      // Stopping: what this batch delivered is committed before the consumer leaves the group.
      if (stopping.signal.aborted) await pacer.flush();
    }
  };

  let rejectDone: (err: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    rejectDone = reject;
    consumer.on(consumer.events.STOP, () => resolve());
  });
  done.catch(() => undefined);
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assigned = Object.values(e.payload.memberAssignment).reduce((n, partitions) => n + partitions.length, 0);
  });
  // A rebalance drops what was resolved and not committed: commit it while this generation still may.
  consumer.on(consumer.events.REBALANCING, () => {
    void pacer.flush();
  });
  consumer.on(consumer.events.CRASH, (e) => {
    const { error, restart } = e.payload;
    log.error('kafka consumer crashed', { err: error, restart });
    if (!restart) rejectDone(error);
  });

  await consumer.connect();
  await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning });
  await consumer.run({
    eachBatchAutoResolve: false,
    // kafkajs' autoCommit commits after every batch (a few records each at moderate rates) and the next fetch
    // waits for it; CommitPacer commits the resolved offsets at most once a second instead, with a trailing
    // commit, a flush on rebalance and one at stop. That bounds what a crash replays to about a second.
    autoCommit: false,
    partitionsConsumedConcurrently: partitionsConcurrently,
    eachBatch,
  });

  return {
    done,
    stop: async () => {
      stopping.abort();
      // What idle batches left pending; running batches flush their own on the way out (eachBatch's finally).
      await pacer.flush();
      // disconnect() stops the run loop (waiting for the current batches, which now end quickly) and leaves the group.
      await consumer.disconnect();
      pacer.cancel();
    },
  };
}
