/**
 * One consumer of a Redis Streams consumer group, with at-least-once delivery: an entry is XACKed only after
 * its handler resolved. Shared by the RedisStreamSource adapter and the Redis EventBus backend.
 *
 * Order of work in the loop:
 *  1. its own pending entries first (XREADGROUP … 0): what this consumer name read before a crash;
 *  2. every `claimEveryMs`, XAUTOCLAIM entries idle longer than `claimMinIdleMs` from any consumer of the
 *     group, so a consumer that died for good does not strand its entries;
 *  3. new entries (XREADGROUP … > with BLOCK).
 * A handler that rejects leaves its entry pending; the loop backs off and walks its pending list again.
 * A group that disappears (the stream was deleted) is re-created from the start of the stream.
 */
import type { Redis } from 'ioredis';
import { backoffDelay, sleep } from '../../lib/backoff.js';
import type { Logger } from '../../lib/log.js';
import { AckBatcher } from './ack-batcher.js';
import { parseAutoClaimReply, parseReadGroupReply, type StreamEntry } from './stream-reply.js';

export interface GroupReaderOptions {
  /** A connection of its own: BLOCK holds it. Must use RESP2 (`protocol: 2`). */
  redis: Redis;
  stream: string;
  group: string;
  consumer: string;
  /** Resolve = XACK. Reject = stays pending, retried after a backoff. */
  handle: (entry: StreamEntry) => Promise<void>;
  signal: AbortSignal;
  log: Logger;
  /** Entries read per call (COUNT). */
  batchSize?: number;
  /** Handlers running at once within a batch. */
  concurrency?: number;
  blockMs?: number;
  claimMinIdleMs?: number;
  claimEveryMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** An entry deleted (XDEL/XTRIM) while pending: it is XACKed, nothing is left to deliver. */
  onDeleted?: (id: string) => void;
}

export const groupReaderDefaults = {
  batchSize: 100,
  concurrency: 16,
  blockMs: 2000,
  claimMinIdleMs: 60_000,
  claimEveryMs: 15_000,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
} as const;

/** XGROUP CREATE … MKSTREAM; an existing group (BUSYGROUP) is fine and keeps its position. */
export async function ensureGroup(redis: Redis, stream: string, group: string, startId: '$' | '0'): Promise<void> {
  try {
    await redis.call('XGROUP', ['CREATE', stream, group, startId, 'MKSTREAM']);
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('BUSYGROUP')) return;
    throw err;
  }
}

type ReadEntry = { id: string; fields: StreamEntry['fields'] | null };

/**
 * Runs until `signal` aborts, then waits for the handlers in flight.
 *
 * Reads are pipelined: the next batch is read as soon as the last entry of the current one has a handler slot,
 * not when the whole batch has been delivered, so one slow delivery does not hold the reads (bench/README.md).
 * Only reads of a backlog (the last read came back full) and of the pending list go ahead like this; before a
 * blocking read, a claim, or a new walk of the pending list the reader waits for its handlers, so an entry is
 * never read twice while in flight and its XACK is not queued behind a BLOCK on this connection.
 */
export async function runGroupReader(opts: GroupReaderOptions): Promise<void> {
  const o = { ...groupReaderDefaults, ...opts };
  const { redis, stream, group, consumer, signal, log } = o;
  const concurrency = Math.max(1, o.concurrency);
  const acks = new AckBatcher((ids) => redis.call('XACK', [stream, group, ...ids]));
  let pendingCursor: string | null = '0';
  let nextClaimAt = Date.now() + o.claimEveryMs;
  let failures = 0;
  /** Set by a handler or an XACK that failed: the reader stops starting entries, backs off, walks its pending list. */
  let failed = false;
  let lastReadFull = false;

  let running = 0;
  let wake: (() => void) | undefined;
  const finished = (): void => {
    running--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  const waitBelow = async (n: number): Promise<void> => {
    while (running >= n) await new Promise<void>((resolve) => (wake = resolve));
  };

  /** Never rejects: a failure sets `failed` and leaves the entry pending. */
  const deliver = async (e: ReadEntry): Promise<void> => {
    if (e.fields === null) {
      try {
        await acks.ack(e.id);
      } catch (err) {
        failed = true;
        log.warn('XACK of a deleted pending entry failed; it stays pending', { id: e.id, err });
        return;
      }
      o.onDeleted?.(e.id);
      log.warn('pending entry was deleted from the stream before delivery; acknowledged', { id: e.id });
      return;
    }
    try {
      await o.handle({ id: e.id, fields: e.fields });
    } catch (err) {
      failed = true;
      log.warn('entry not delivered, stays pending for a retry', { id: e.id, err });
      return;
    }
    try {
      await acks.ack(e.id);
      failures = 0;
    } catch (err) {
      failed = true;
      log.warn('XACK failed; the delivered entry stays pending and will be delivered again', { id: e.id, err });
    }
  };

  /** Starts the entries' handlers, at most `concurrency` at once; returns when the last one has started. */
  const dispatch = async (entries: readonly ReadEntry[]): Promise<void> => {
    for (const e of entries) {
      await waitBelow(concurrency);
      // The rest stays pending: the walk after the backoff (or the next reader after a stop) reads it again.
      if (failed || signal.aborted) return;
      running++;
      deliver(e).then(finished, finished);
    }
  };

  while (!signal.aborted) {
    if (failed) {
      await waitBelow(1);
      failed = false;
      failures++;
      // Whatever failed is in our pending list: walk it again from the start after the backoff.
      pendingCursor = '0';
      lastReadFull = false;
      const delay = backoffDelay(failures, { policy: 'exponential', baseMs: o.retryBaseMs, maxMs: o.retryMaxMs, jitter: 0.2 });
      await sleep(delay, signal).catch(() => undefined);
      continue;
    }
    try {
      if (Date.now() >= nextClaimAt) {
        await waitBelow(1);
        nextClaimAt = Date.now() + o.claimEveryMs;
        const claimed = parseAutoClaimReply(
          await redis.callBuffer('XAUTOCLAIM', [stream, group, consumer, o.claimMinIdleMs, '0-0', 'COUNT', o.batchSize]),
        );
        for (const id of claimed.deleted) o.onDeleted?.(id);
        if (claimed.entries.length > 0) {
          log.info('claimed stale pending entries', { count: claimed.entries.length, minIdleMs: o.claimMinIdleMs });
          await dispatch(claimed.entries);
          // More stale entries may remain past this page: claim again on the next turn.
          if (claimed.cursor !== '0-0') nextClaimAt = 0;
        }
      } else if (pendingCursor !== null) {
        if (pendingCursor === '0') await waitBelow(1);
        const entries = parseReadGroupReply(
          await redis.callBuffer('XREADGROUP', ['GROUP', group, consumer, 'COUNT', o.batchSize, 'STREAMS', stream, pendingCursor]),
        );
        if (entries.length === 0) {
          pendingCursor = null;
        } else {
          pendingCursor = entries[entries.length - 1]!.id;
          await dispatch(entries);
        }
      } else {
        // A backlog: read on at once. Otherwise BLOCK, which holds this connection: let the XACKs through first.
        if (!lastReadFull) await waitBelow(1);
        const args: (string | number)[] = lastReadFull
          ? ['GROUP', group, consumer, 'COUNT', o.batchSize, 'STREAMS', stream, '>']
          : ['GROUP', group, consumer, 'COUNT', o.batchSize, 'BLOCK', o.blockMs, 'STREAMS', stream, '>'];
        const entries = parseReadGroupReply(await redis.callBuffer('XREADGROUP', args));
        lastReadFull = entries.length >= o.batchSize;
        if (entries.length > 0) await dispatch(entries);
      }
    } catch (err) {
      if (signal.aborted) break;
      lastReadFull = false;
      if (err instanceof Error && err.message.startsWith('NOGROUP')) {
        // The stream (or just the group) was deleted under us. Re-create the group at the start of what is in
        // the stream now: replaying beats skipping entries written since.
        log.warn('consumer group is gone (stream deleted or group destroyed); re-creating it from the start of the stream', { err });
        await waitBelow(1);
        await ensureGroup(redis, stream, group, '0').catch((e: unknown) => log.warn('re-creating the group failed', { err: e }));
        pendingCursor = '0';
        continue;
      }
      log.warn('redis stream read failed, retrying', { err });
      failed = true;
    }
  }
  await waitBelow(1);
}
