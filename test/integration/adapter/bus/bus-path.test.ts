/**
 * A source on the bus path (K_EVENT_BUS_CONFIG instead of K_SINK), on NATS whose server refuses payloads over
 * 1 MiB: entries are published as structured events and acknowledged; an entry over the bus limit is rejected
 * with a reason (not retried forever, not a crash) and the next entry still flows.
 */
import { randomUUID } from 'node:crypto';
import type { CloudEvent } from 'cloudevents';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createBus } from '../../../../adapter/bus/create.js';
import { run } from '../../../../adapter/redisstream/index.js';
import { runAdapter } from '../../../../adapter/runtime/lifecycle.js';
import { testEnv } from '../../../support/env.js';

describe('redisstream source on the NATS bus path', () => {
  it('publishes entries to its topic and rejects an oversized one with a reason', async () => {
    const u = randomUUID().slice(0, 8);
    const stream = `bp-${u}`;
    const topic = `ns-bp-${u}`;
    const nats = { url: testEnv.natsUrl(), stream: 'headwater-buspath' };
    const lines: string[] = [];
    const redis = new Redis(testEnv.redisUrl());
    const bus = await createBus({ backend: 'nats', nats });
    const got: CloudEvent<unknown>[] = [];
    const sub = await bus.consume(topic, 'watcher', async (e) => {
      got.push(e);
    });
    const adapter = await runAdapter(
      'redisstream',
      [],
      {
        K_EVENT_BUS_CONFIG: JSON.stringify({ backend: 'nats', topic, nats }),
        NAMESPACE: 'ns',
        NAME: `bp-${u}`,
        K_SOURCE_CONFIG: JSON.stringify({ address: testEnv.redisUrl(), stream }),
        PORT: '0',
        BIND_ADDRESS: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      { handleSignals: false, runRole: run, logWrite: (l) => void lines.push(l) },
    );
    try {
      for (let i = 0; i < 100; i++) {
        const res = await fetch(`${adapter.health.url.replace(/\/$/, '')}/readyz`).catch(() => undefined);
        if (res?.status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const big = (await redis.xadd(stream, '*', 'huge', 'z'.repeat(1536 * 1024))) as string;
      const small = (await redis.xadd(stream, '*', 'bytes', Buffer.from([0xff, 0x01]))) as string;
      for (let i = 0; i < 300 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(got.map((e) => e.id)).toEqual([small]);
      expect(got[0]?.data).toEqual({ bytes: { base64: Buffer.from([0xff, 0x01]).toString('base64') } });
      for (let i = 0; i < 100 && !lines.some((l) => l.includes('entry rejected')); i++) await new Promise((r) => setTimeout(r, 100));
      const rejected = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.msg).startsWith('entry rejected'));
      expect(rejected?.id).toBe(big);
      expect(String(rejected?.reason)).toMatch(/over the event bus limit of 1048576 bytes/);
    } finally {
      adapter.shutdown.trigger('test done');
      expect(await adapter.finished).toBe(0);
      await sub.close();
      await bus.close();
      redis.disconnect();
    }
  });
});
