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
import pLimit from 'p-limit';
import { backoffDelay, sleep } from '../../lib/backoff.js';
import type { Logger } from '../../lib/log.js';
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

/** Runs until `signal` aborts, then waits for the handlers in flight. */
export async function runGroupReader(opts: GroupReaderOptions): Promise<void> {
  const o = { ...groupReaderDefaults, ...opts };
  const { redis, stream, group, consumer, signal, log } = o;
  const limit = pLimit(Math.max(1, o.concurrency));
  let pendingCursor: string | null = '0';
  let nextClaimAt = Date.now() + o.claimEveryMs;
  let failures = 0;

  /** Delivers a batch; true if every entry was delivered and acked. */
  const process = async (entries: { id: string; fields: StreamEntry['fields'] | null }[]): Promise<boolean> => {
    const results = await Promise.all(
      entries.map((e) =>
        limit(async () => {
          if (e.fields === null) {
            await redis.call('XACK', [stream, group, e.id]);
            o.onDeleted?.(e.id);
            log.warn('pending entry was deleted from the stream before delivery; acknowledged', { id: e.id });
            return true;
          }
          try {
            await o.handle({ id: e.id, fields: e.fields });
          } catch (err) {
            log.warn('entry not delivered, stays pending for a retry', { id: e.id, err });
            return false;
          }
          await redis.call('XACK', [stream, group, e.id]);
          return true;
        }),
      ),
    );
    return results.every(Boolean);
  };

  while (!signal.aborted) {
    let ok = true;
    try {
      if (Date.now() >= nextClaimAt) {
        nextClaimAt = Date.now() + o.claimEveryMs;
        const claimed = parseAutoClaimReply(
          await redis.callBuffer('XAUTOCLAIM', [stream, group, consumer, o.claimMinIdleMs, '0-0', 'COUNT', o.batchSize]),
        );
        for (const id of claimed.deleted) o.onDeleted?.(id);
        if (claimed.entries.length > 0) {
          log.info('claimed stale pending entries', { count: claimed.entries.length, minIdleMs: o.claimMinIdleMs });
          ok = await process(claimed.entries);
          // More stale entries may remain past this page: claim again on the next turn.
          if (claimed.cursor !== '0-0') nextClaimAt = 0;
        }
      } else if (pendingCursor !== null) {
        const entries = parseReadGroupReply(
          await redis.callBuffer('XREADGROUP', ['GROUP', group, consumer, 'COUNT', o.batchSize, 'STREAMS', stream, pendingCursor]),
        );
        if (entries.length === 0) {
          pendingCursor = null;
        } else {
          pendingCursor = entries[entries.length - 1]!.id;
          ok = await process(entries);
        }
      } else {
        const entries = parseReadGroupReply(
          await redis.callBuffer('XREADGROUP', [
            'GROUP',
            group,
            consumer,
            'COUNT',
            o.batchSize,
            'BLOCK',
            o.blockMs,
            'STREAMS',
            stream,
            '>',
          ]),
        );
        if (entries.length > 0) ok = await process(entries);
      }
    } catch (err) {
      if (signal.aborted) break;
      if (err instanceof Error && err.message.startsWith('NOGROUP')) {
        // The stream (or just the group) was deleted under us. Re-create the group at the start of what is in
        // the stream now: replaying beats skipping entries written since.
        log.warn('consumer group is gone (stream deleted or group destroyed); re-creating it from the start of the stream', { err });
        await ensureGroup(redis, stream, group, '0').catch((e: unknown) => log.warn('re-creating the group failed', { err: e }));
        pendingCursor = '0';
        continue;
      }
      log.warn('redis stream read failed, retrying', { err });
      ok = false;
    }
    if (ok) {
      failures = 0;
      continue;
    }
    failures++;
    // Whatever failed is in our pending list: walk it again from the start after the backoff.
    pendingCursor = '0';
    const delay = backoffDelay(failures, { policy: 'exponential', baseMs: o.retryBaseMs, maxMs: o.retryMaxMs, jitter: 0.2 });
    await sleep(delay, signal).catch(() => undefined);
  }
}
