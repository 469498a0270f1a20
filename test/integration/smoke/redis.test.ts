/**
 * Smoke test of the local Redis: a stream entry added with XADD is read by a consumer group with XREADGROUP,
 * is pending until XACK, and is no longer pending after it.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { testEnv, uniqueName } from '../../support/env.js';

describe('redis smoke', () => {
  const redis = new Redis(testEnv.redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 3 });
  const stream = uniqueName('smoke-stream');

  afterAll(async () => {
    await redis.del(stream).catch(() => undefined);
    redis.disconnect();
  });

  it('XADD, XREADGROUP and XACK', async () => {
    await redis.connect();
    const info = await redis.info('server');
    expect(info).toMatch(/redis_version:(\d+)\./);
    expect(Number(/redis_version:(\d+)\./.exec(info)?.[1])).toBeGreaterThanOrEqual(7);

    await redis.xgroup('CREATE', stream, 'g', '$', 'MKSTREAM');
    const id = await redis.xadd(stream, '*', 'type', 'smoke', 'data', 'hello');
    expect(id).toMatch(/^\d+-\d+$/);

    const read = (await redis.xreadgroup('GROUP', 'g', 'c1', 'COUNT', 10, 'STREAMS', stream, '>')) as
      | [string, [string, string[]][]][]
      | null;
    expect(read).toEqual([[stream, [[id, ['type', 'smoke', 'data', 'hello']]]]]);

    const pendingBefore = (await redis.xpending(stream, 'g')) as [number, ...unknown[]];
    expect(pendingBefore[0]).toBe(1);
    expect(await redis.xack(stream, 'g', id as string)).toBe(1);
    const pendingAfter = (await redis.xpending(stream, 'g')) as [number, ...unknown[]];
    expect(pendingAfter[0]).toBe(0);
  });
});
