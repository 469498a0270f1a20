/**
 * Redis Streams backend: one stream per topic (key `headwater.<topic>`), entries `ce <structured JSON>`,
 * one consumer group per durable subscriber. Consumption reuses the RedisStreamSource's group reader, so
 * the bus has the same pending-first / XAUTOCLAIM / ack-after-handler behaviour.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { CloudEvent } from 'cloudevents';
import { createLogger, type Logger } from '../../lib/log.js';
import { connectRedis, redisBusSecretNames } from '../redisstream/connection.js';
import { ensureGroup, runGroupReader } from '../redisstream/group-reader.js';
import type { StreamEntry } from '../redisstream/stream-reply.js';
import type { BusDeps } from './create.js';
import { BusConnectError, BusDecodeError, BusPublishError } from './errors.js';
import type { Bus, BusHandler, ConsumeOptions, RedisBusConfig, Subscription } from './types.js';
import { decodeEvent, encodeEvent } from './wire.js';

export const eventField = 'ce';

export function streamKeyFor(topic: string): string {
  return `headwater.${topic}`;
}

function eventBytes(entry: StreamEntry): Buffer {
  const field = entry.fields.find(([name]) => name.toString('utf8') === eventField);
  if (!field) throw new BusDecodeError(`entry ${entry.id} has no "${eventField}" field`, { id: entry.id });
  return field[1];
}

class RedisBus implements Bus {
  readonly backend = 'redis' as const;
  readonly #cfg: RedisBusConfig;
  readonly #writer: Redis;
  readonly #log: Logger;
  readonly #subs = new Set<Subscription>();

  constructor(cfg: RedisBusConfig, writer: Redis, log: Logger) {
    this.#cfg = cfg;
    this.#writer = writer;
    this.#log = log;
  }

  async publish(topic: string, event: CloudEvent<unknown>, wire?: Buffer): Promise<void> {
    try {
      await this.#writer.call('XADD', [streamKeyFor(topic), '*', eventField, wire ?? encodeEvent(event)]);
    } catch (err) {
      throw new BusPublishError('redis', topic, event.id, err);
    }
  }

  async consume(topic: string, durable: string, handler: BusHandler, opts: ConsumeOptions = {}): Promise<Subscription> {
    const key = streamKeyFor(topic);
    const conn = connectRedis(this.#cfg, `headwater-bus-${durable}`, 'redis.address', undefined, redisBusSecretNames);
    const log = this.#log.child({ topic, durable });
    try {
      await ensureGroup(conn, key, durable, opts.startAt === 'latest' ? '$' : '0');
    } catch (err) {
      conn.disconnect();
      throw new BusConnectError('redis', this.#cfg.address, err);
    }
    const onUndecodable = opts.onUndecodable ?? ((_raw: Uint8Array, reason: string) => log.error('undecodable bus entry acknowledged', { reason }));
    const abort = new AbortController();
    const done = runGroupReader({
      redis: conn,
      stream: key,
      group: durable,
      consumer: process.env.HOSTNAME || hostname(),
      signal: abort.signal,
      log,
      concurrency: Math.max(1, opts.concurrency ?? 1),
      batchSize: Math.max(10, (opts.concurrency ?? 1) * 2),
      retryBaseMs: opts.redeliveryDelayMs ?? 1000,
      handle: async (entry) => {
        let event: CloudEvent<unknown>;
        let raw: Buffer | undefined;
        try {
          raw = eventBytes(entry);
          event = decodeEvent(raw);
        } catch (err) {
          await onUndecodable(raw ?? Buffer.alloc(0), err instanceof Error ? err.message : String(err));
          return;
        }
        await handler(event);
      },
    });
    done.catch(() => undefined);
    const sub: Subscription = {
      done,
      close: async () => {
        this.#subs.delete(sub);
        abort.abort();
        await done.catch(() => undefined);
        conn.disconnect();
      },
    };
    this.#subs.add(sub);
    return sub;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subs].map((s) => s.close()));
    await this.#writer.quit().catch(() => this.#writer.disconnect());
  }
}

export async function createRedisBus(cfg: RedisBusConfig, deps: BusDeps = {}): Promise<Bus> {
  const log = (deps.logger ?? createLogger()).child({ bus: 'redis' });
  const writer = connectRedis(cfg, 'headwater-bus-writer', 'redis.address', undefined, redisBusSecretNames);
  try {
    await writer.ping();
  } catch (err) {
    writer.disconnect();
    throw new BusConnectError('redis', cfg.address, err);
  }
  return new RedisBus(cfg, writer, log);
}
