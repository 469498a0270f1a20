/**
 * The Kafka consume loop shared by the KafkaSource adapter and the Kafka EventBus backend. `eachBatch` hands
 * each fetched batch to its partition's lane (partition-lane.ts) and returns, so kafkajs fetches on while the
 * lanes deliver; it waits only while the lane holds more untaken records than its byte budget. A rejected
 * handler is retried with a backoff, in place, until it succeeds or the consumer stops. The committed offset is
 * the lane's contiguous delivered prefix, never kafkajs' fetch position: it never passes a record not yet safe.
 *
 * - ordered: records of a partition one after another (partitions still run in parallel);
 * - unordered: up to `concurrency` records at once, split among the partitions; committed by delivered prefix.
 */
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { backoffDelay, sleep } from '../../lib/backoff.js';
import type { Logger } from '../../lib/log.js';
import { CommitPacer } from './commit-pacer.js';
import { PartitionLane } from './partition-lane.js';

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
   * unordered: records in flight at once in this consumer, split evenly among its assigned partitions, at least
   * one each (64 over 8 partitions is 8 per partition, over 1 partition 64, over 100 partitions 1).
   */
  concurrency?: number;
  handle: (record: KafkaRecord) => Promise<void>;
  log: Logger;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

/** A partition's lane, with the topic and partition its commits name. */
interface LaneEntry {
  topic: string;
  partition: number;
  lane: PartitionLane;
}

/** kafkajs' own test for "the group is rebalancing" (its `isRebalancing`, not exported). */
function isRebalanceError(err: unknown): boolean {
  const type = (err as { type?: unknown } | null)?.type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION';
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
 * `eachBatch` calls kafkajs runs at once. Each only queues its batch, unless its lane is full; then the others
 * of the fetch still queue theirs.
 */
const batchesAtOnce = 16;
/** Delivered offsets are committed this often: what a crash replays is about this much. */
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
  /** Partitions assigned to this member (GROUP_JOIN); 1 until the first join, which comes before any batch. */
  let assigned = 1;
  const pacer = new CommitPacer(commitEveryMs, (err) => log.debug('offset commit failed; the next one covers the same offsets', { err }));

  /** true = delivered; false = the consumer is stopping or the lane ended: leave it uncommitted. */
  const deliver = async (record: KafkaRecord, live: () => boolean): Promise<boolean> => {
    for (let attempt = 1; ; attempt++) {
      if (stopping.signal.aborted || !live()) return false;
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

  /**
   * Lanes of the current group generation, by `topic\u0000partition`. A rejoin (rebalance, or a new member id)
   * starts fresh ones: kafkajs then fetches every partition again from its committed offset.
   */
  let lanes = new Map<string, LaneEntry>();
  /** Ended lanes still finishing what they had on the wire, by key: the partition's next lane starts after. */
  const finishing = new Map<string, Promise<void>>();
  /** The latest batch's payload: its commit goes to the consumer group of the current generation. */
  let latest: EachBatchPayload | undefined;

  const laneFor = (topic: string, partition: number): PartitionLane => {
    const key = `${topic}\u0000${partition}`;
    let lane = lanes.get(key)?.lane;
    if (lane === undefined) {
      // unordered: the consumer's bound split among its partitions, at least one each.
      const workers = opts.ordering === 'ordered' ? 1 : Math.ceil(Math.max(1, opts.concurrency ?? 16) / Math.max(1, assigned));
      const after = finishing.get(key);
      lane = new PartitionLane({
        workers,
        deliver: (message, live) => deliver({ topic, partition, message }, live),
        onDelivered: () => pacer.poke(commit),
        ...(after === undefined ? {} : { after }),
      });
      lanes.set(key, { topic, partition, lane });
    }
    return lane;
  };

  /** Commits the delivered prefix of every lane of `of` that moved since its last commit. */
  const commitLanes = async (of: Map<string, LaneEntry>): Promise<void> => {
    const p = latest;
    if (p === undefined) return;
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    const sent: [PartitionLane, string][] = [];
    for (const { topic, partition, lane } of of.values()) {
      const offset = lane.uncommitted;
      if (offset === undefined) continue;
      const list = byTopic.get(topic) ?? [];
      // Kafka's committed offset is the next one to read.
      list.push({ partition, offset: (BigInt(offset) + 1n).toString() });
      byTopic.set(topic, list);
      sent.push([lane, offset]);
    }
    if (sent.length === 0) return;
    await p.commitOffsetsIfNecessary({ topics: Array.from(byTopic, ([topic, partitions]) => ({ topic, partitions })) });
    for (const [lane, offset] of sent) lane.markCommitted(offset);
  };
  const commit = (): Promise<void> => commitLanes(lanes);

  /** Ends the generation's lanes; what they delivered is committed while the old generation may still commit. */
  const endGeneration = (commitNow: boolean): void => {
    const old = lanes;
    lanes = new Map();
    for (const [key, { lane }] of old) {
      lane.end();
      // Also after an older lane this one may still have been waiting for (two rejoins in a row).
      const idle = Promise.all([finishing.get(key), lane.idle()]).then(() => undefined);
      finishing.set(key, idle);
      void idle.then(() => {
        if (finishing.get(key) === idle) finishing.delete(key);
      });
    }
    if (commitNow) {
      commitLanes(old).catch((err: unknown) => log.debug('commit at rebalance failed; the partitions replay from the last commit', { err }));
    }
  };

  const eachBatch = async (p: EachBatchPayload): Promise<void> => {
    const { batch } = p;
    // Stopping: take nothing more; kafkajs' position does not matter, the commit is the lanes'.
    if (stopping.signal.aborted) return;
    latest = p;
    const lane = laneFor(batch.topic, batch.partition);
    lane.enqueue(batch.messages, batch.lastOffset());
    // kafkajs fetches on from here; what is committed is the lane's delivered prefix.
    p.resolveOffset(batch.lastOffset());
    if (lane.hasRoom) return;
    // The lane's untaken records are over its budget: wait (the fetcher with it), beating so the group keeps us.
    let released: () => void = () => undefined;
    const rebalancing = new Promise<void>((resolve) => {
      released = resolve;
    });
    const beat = setInterval(() => {
      p.heartbeat().catch((err: unknown) => {
        log.debug('heartbeat failed', { err });
        // The group is rebalancing: let kafkajs rejoin now rather than after this lane caught up.
        if (isRebalanceError(err)) released();
      });
    }, heartbeatEveryMs);
    try {
      await Promise.race([lane.room(), rebalancing]);
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
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assigned = Object.values(e.payload.memberAssignment).reduce((n, partitions) => n + partitions.length, 0);
    // A rejoin without REBALANCING first (kafkajs re-joins on an unknown member id): the same fresh start.
    if (lanes.size > 0) endGeneration(false);
  });
  // kafkajs emits this once its fetchers stopped and before it rejoins: commit what was delivered while this
  // generation still may, and take nothing more from its lanes.
  consumer.on(consumer.events.REBALANCING, () => {
    endGeneration(true);
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
    // kafkajs' autoCommit would commit its fetch position (after every batch, awaited before the next fetch);
    // CommitPacer commits the lanes' delivered offsets at most once a second instead, with a trailing commit,
    // one at rebalance and one at stop. That bounds what a crash replays to about a second.
    autoCommit: false,
    partitionsConsumedConcurrently: batchesAtOnce,
    eachBatch,
  });

  return {
    done,
    stop: async () => {
      stopping.abort();
      const current = Array.from(lanes.values(), (e) => e.lane);
      for (const lane of current) lane.end();
      // Records on the wire finish (their retries gave up on `stopping`), then what they delivered is committed.
      await Promise.all(current.map((lane) => lane.idle()));
      pacer.poke(commit);
      await pacer.flush();
      // disconnect() stops the run loop (waiting for the current batches, which now end quickly) and leaves the group.
      await consumer.disconnect();
      pacer.cancel();
    },
  };
}
