/**
 * One assigned partition's records between kafkajs' fetch and the sink. kafkajs fetches again only when every
 * batch of its last fetch has been handled, so a consumer that delivered inside `eachBatch` held every partition
 * behind the slowest batch of the round, and left its thread idle while the next fetch travelled
 * (bench/README.md). A lane takes the batch and lets `eachBatch` return; its workers deliver across batch
 * boundaries, and the fetcher waits only when a lane already holds more untaken records than its byte budget.
 *
 * What may be committed is the lane's, not kafkajs': the last offset of the contiguous delivered prefix
 * (`delivered`). kafkajs' resolved offset is only where it fetches from.
 */
import type { KafkaMessage } from 'kafkajs';
import { ContiguousPrefix } from './commit-tracker.js';

interface LaneBatch {
  readonly messages: KafkaMessage[];
  /** kafkajs' `batch.lastOffset()`: past the last message when control records ended the batch. */
  readonly lastOffset: string;
  readonly prefix: ContiguousPrefix;
  /** Next index a worker takes. */
  next: number;
}

/** Hands a record to its handler; true = delivered, false = the lane or the consumer is ending. */
export type LaneDeliver = (message: KafkaMessage, live: () => boolean) => Promise<boolean>;

export interface LaneOptions {
  /** 1 = in offset order, one record at a time; more = that many at once, committed by contiguous prefix. */
  workers: number;
  deliver: LaneDeliver;
  /** The delivered prefix grew (a commit may be due). */
  onDelivered: () => void;
  /**
   * Untaken record bytes beyond which the fetcher waits (default `defaultRoomBytes`); a single batch is always
   * taken whatever its size. Counted in bytes, not batches: at moderate rates batches are a few records each,
   * and a budget of two batches made a lane a few records behind hold back the fetch of every partition.
   */
  roomBytes?: number;
  /**
   * Workers start only once this resolves: the same partition's lane of an ended generation, still finishing
   * the records it had on the wire. Without it a rejoin could deliver a partition's records again while an older
   * copy of one of them was still on the wire, out of order.
   */
  after?: Promise<void>;
}

/** kafkajs' default `maxBytesPerPartition`: a lane buffers about one full fetch of its partition. */
export const defaultRoomBytes = 1024 * 1024;
/** Counted per record on top of key and value, so a backlog of empty records is bounded too. */
const recordOverheadBytes = 64;

const sizeOf = (m: KafkaMessage): number => recordOverheadBytes + (m.value?.length ?? 0) + (m.key?.length ?? 0);

export class PartitionLane {
  readonly #opts: LaneOptions;
  /** Batches with records no worker has taken yet, in offset order (a batch leaves once its last is taken). */
  #toTake: LaneBatch[] = [];
  /** Batches not yet wholly delivered, in offset order; the first holds the prefix. */
  #open: LaneBatch[] = [];
  #running = 0;
  /** Bytes of the records in #toTake not taken yet. */
  #untakenBytes = 0;
  readonly #roomBytes: number;
  #ended = false;
  /** Waiting for `after`: records are queued, no worker starts. */
  #gated = false;
  #delivered: string | undefined;
  #committed: string | undefined;
  #roomWaiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];
  readonly #live = (): boolean => !this.#ended;

  constructor(opts: LaneOptions) {
    this.#opts = { ...opts, workers: Math.max(1, Math.floor(opts.workers)) };
    this.#roomBytes = opts.roomBytes ?? defaultRoomBytes;
    if (opts.after !== undefined) {
      this.#gated = true;
      void opts.after.then(() => {
        this.#gated = false;
        this.#startWorkers();
      });
    }
  }

  /** Queues a fetched batch (offsets following the last one queued) and starts workers for it. */
  enqueue(messages: KafkaMessage[], lastOffset: string): void {
    if (this.#ended || messages.length === 0) return;
    const batch: LaneBatch = { messages, lastOffset, prefix: new ContiguousPrefix(messages.map((m) => m.offset)), next: 0 };
    this.#toTake.push(batch);
    this.#open.push(batch);
    for (const m of messages) this.#untakenBytes += sizeOf(m);
    this.#startWorkers();
  }

  #startWorkers(): void {
    if (this.#gated || this.#ended) return;
    // No more workers than records to take: a worker that finds nothing returns at once, synchronously.
    let untaken = 0;
    for (const b of this.#toTake) untaken += b.messages.length - b.next;
    for (let n = Math.min(this.#opts.workers - this.#running, untaken); n > 0; n--) {
      this.#running++;
      void this.#work();
    }
  }

  /** Room for another batch: the untaken records fit the byte budget, or they are all of one batch. */
  get hasRoom(): boolean {
    return this.#ended || this.#toTake.length <= 1 || this.#untakenBytes <= this.#roomBytes;
  }

  /** Resolves once `hasRoom`. */
  room(): Promise<void> {
    if (this.hasRoom) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  /** Last offset of the contiguous delivered prefix since the lane began, if any. */
  get delivered(): string | undefined {
    return this.#delivered;
  }

  /** The delivered offset a commit would carry, if it moved since `markCommitted`. */
  get uncommitted(): string | undefined {
    return this.#delivered === this.#committed ? undefined : this.#delivered;
  }

  markCommitted(offset: string): void {
    this.#committed = offset;
  }

  /**
   * Takes no more records and drops the untaken ones (they are after the delivered prefix, so the partition's
   * next owner, or this consumer after a rejoin, fetches them again from the committed offset). Records being
   * delivered finish or give up (`live` turns false); `idle()` says when.
   */
  end(): void {
    this.#ended = true;
    this.#toTake = [];
    this.#untakenBytes = 0;
    this.#wakeRoom();
  }

  /** Resolves when no worker is delivering. */
  idle(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #work(): Promise<void> {
    try {
      for (;;) {
        const batch = this.#ended ? undefined : this.#toTake[0];
        if (batch === undefined) return;
        const index = batch.next++;
        this.#untakenBytes -= sizeOf(batch.messages[index]!);
        if (batch.next === batch.messages.length) this.#toTake.shift();
        this.#wakeRoom();
        if (!(await this.#opts.deliver(batch.messages[index]!, this.#live))) return;
        this.#markDone(batch, index);
      }
    } finally {
      this.#running--;
      if (this.#running === 0) {
        const waiters = this.#idleWaiters;
        this.#idleWaiters = [];
        for (const wake of waiters) wake();
      }
    }
  }

  #markDone(batch: LaneBatch, index: number): void {
    if (batch.prefix.markDone(index) === undefined || batch !== this.#open[0]) return;
    // The first open batch's prefix grew: move past every batch now wholly delivered (later ones may have
    // finished while an earlier record was still in flight) and stop at the first with a gap.
    for (;;) {
      const front = this.#open[0];
      if (front === undefined) break;
      if (front.prefix.complete) {
        this.#delivered = front.lastOffset;
        this.#open.shift();
        continue;
      }
      const committable = front.prefix.committable;
      if (committable !== undefined) this.#delivered = committable;
      break;
    }
    this.#opts.onDelivered();
  }

  #wakeRoom(): void {
    if (!this.hasRoom || this.#roomWaiters.length === 0) return;
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const wake of waiters) wake();
  }
}
