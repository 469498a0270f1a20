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
  /** unordered: records of one batch in flight at once. */
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
  const pacer = new CommitPacer(commitEveryMs, (err) => log.debug('offset commit deferred', { err }));

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
    const commit = (): Promise<void> => p.commitOffsetsIfNecessary();
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
      const workers = Math.min(Math.max(1, opts.concurrency ?? 16), messages.length);
      await Promise.all(Array.from({ length: workers }, worker));
      if (still()) await p.commitOffsetsIfNecessary();
    } finally {
      clearInterval(beat);
    }
  };

  let rejectDone: (err: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    rejectDone = reject;
    consumer.on(consumer.events.STOP, () => resolve());
  });
  done.catch(() => undefined);
  consumer.on(consumer.events.CRASH, (e) => {
    const { error, restart } = e.payload;
    log.error('kafka consumer crashed', { err: error, restart });
    if (!restart) rejectDone(error);
  });

  await consumer.connect();
  await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning });
  await consumer.run({
    eachBatchAutoResolve: false,
    autoCommit: true,
    // Without an interval kafkajs commits only when a batch ends; with it, commitOffsetsIfNecessary (paced by
    // CommitPacer inside batches, and at each batch end) commits the resolved offsets every second, which bounds
    // what a crash replays. By time only: a record-count threshold made kafkajs count every partition's resolved
    // offsets on each call and commit far more often at high rates (bench/README.md).
    autoCommitInterval: commitEveryMs,
    partitionsConsumedConcurrently: Math.max(1, opts.partitionsConcurrently ?? defaultPartitionsConcurrently[opts.ordering]),
    eachBatch,
  });

  return {
    done,
    stop: async () => {
      stopping.abort();
      // disconnect() stops the run loop (waiting for the current batches, which now end quickly), commits
      // the resolved offsets and leaves the group.
      await consumer.disconnect();
    },
  };
}
