/**
 * The redisstream role end to end against a real Redis: entries reach a real HTTP sink with the documented
 * attributes and faithful data, a too-large entry lands in the dead-letter sink, and a dead consumer's
 * stale pending entries are reclaimed by a live one.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis } from '../../../../adapter/redisstream/connection.js';
import { ensureGroup, runGroupReader } from '../../../../adapter/redisstream/group-reader.js';
import { run } from '../../../../adapter/redisstream/index.js';
import { runAdapter } from '../../../../adapter/runtime/lifecycle.js';
import { createLogger } from '../../../../lib/log.js';
import { waitAdapterReady } from '../../../support/adapter-ready.js';
import { testEnv } from '../../../support/env.js';
import { startTestSink, type TestSink } from '../../../support/test-sink.js';

describe('redisstream adapter', () => {
  let redis: Redis;
  let sink: TestSink;
  let dls: TestSink;
  const stream = `rs-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    redis = new Redis(testEnv.redisUrl());
    sink = await startTestSink();
    dls = await startTestSink();
  });
  afterAll(async () => {
    redis.disconnect();
    await sink.close();
    await dls.close();
  });

  it('delivers entries with the documented attributes, exact data, overrides; a too-large one is dead-lettered', async () => {
    const adapter = await runAdapter(
      'redisstream',
      [],
      {
        K_SINK: sink.url,
        K_CE_OVERRIDES: JSON.stringify({ extensions: { team: 'blue' } }),
        K_DELIVERY: JSON.stringify({ retry: 1, backoffDelay: 'PT0.05S', deadLetterSinkUri: dls.url }),
        NAMESPACE: 'ns1',
        NAME: 'orders',
        K_SOURCE_CONFIG: JSON.stringify({ address: testEnv.redisUrl(), stream, consumers: 2 }),
        PORT: '0',
        BIND_ADDRESS: '127.0.0.1',
        LOG_LEVEL: 'warn',
        HOSTNAME: 'test-pod',
      },
      // vitest cannot follow lifecycle's computed import(); hand it the role module directly.
      { handleSignals: false, runRole: run },
    );
    try {
      await waitAdapterReady(adapter);
      const binary = Buffer.from([0xff, 0x00, 0xc3, 0x28]);
      const id1 = (await redis.xadd(stream, '*', 'order', '{"n":1}', 'note', 'ünïcödé')) as string;
      const id2 = (await redis.call('XADD', [stream, '*', 'bin', binary, 'tag', 'a', 'tag', 'b'])) as string;
      const huge = 'x'.repeat(5 * 1024 * 1024);
      const id3 = (await redis.xadd(stream, '*', 'huge', huge)) as string;

      const got = await sink.waitForRequests(2, 30_000);
      const byId = new Map(got.map((r) => [r.event?.id, r]));
      const r1 = byId.get(id1);
      expect(r1?.event?.type).toBe('dev.knative.sources.redisstream');
      expect(r1?.event?.source).toBe(`/apis/v1/namespaces/ns1/redisstreamsources/orders#${stream}`);
      expect(r1?.headers['ce-team']).toBe('blue');
      expect(JSON.parse(r1?.body.toString('utf8') ?? '')).toEqual({ order: '{"n":1}', note: 'ünïcödé' });
      const data2 = JSON.parse(byId.get(id2)?.body.toString('utf8') ?? '');
      expect(Buffer.from(data2.bin.base64, 'base64').equals(binary)).toBe(true);
      expect(data2.tag).toEqual(['a', 'b']);

      const dead = await dls.waitForRequests(1, 30_000);
      expect(dead[0]?.headers['ce-id']).toBe(id3);
      expect(String(dead[0]?.headers['ce-headwatererror'])).toMatch(/over the limit/);
      expect(sink.requests.some((r) => r.headers['ce-id'] === id3)).toBe(false);

      // Everything acknowledged: nothing left pending in the group.
      const pending = (await redis.call('XPENDING', [stream, 'headwater-redisstreamsource-ns1-orders'])) as unknown[];
      for (let i = 0; i < 50 && pending[0] !== 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        pending.splice(0, pending.length, ...((await redis.call('XPENDING', [stream, 'headwater-redisstreamsource-ns1-orders'])) as unknown[]));
      }
      expect(pending[0]).toBe(0);
    } finally {
      adapter.shutdown.trigger('test done');
      expect(await adapter.finished).toBe(0);
    }
  });

  it('without a dead-letter sink, a too-large entry is rejected with a reason and acknowledged; the next one flows', async () => {
    const s = `rs-nodls-${randomUUID().slice(0, 8)}`;
    const lines: string[] = [];
    const plain = await startTestSink();
    const adapter = await runAdapter(
      'redisstream',
      [],
      {
        K_SINK: plain.url,
        NAMESPACE: 'ns1',
        NAME: 'nodls',
        K_SOURCE_CONFIG: JSON.stringify({ address: testEnv.redisUrl(), stream: s }),
        PORT: '0',
        BIND_ADDRESS: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      { handleSignals: false, runRole: run, logWrite: (l) => void lines.push(l) },
    );
    try {
      await waitAdapterReady(adapter);
      const big = (await redis.xadd(s, '*', 'huge', 'y'.repeat(5 * 1024 * 1024))) as string;
      const small = (await redis.xadd(s, '*', 'n', '1')) as string;
      const got = await plain.waitForRequests(1, 30_000);
      expect(got[0]?.headers['ce-id']).toBe(small);
      for (let i = 0; i < 100 && !lines.some((l) => l.includes('entry rejected')); i++) await new Promise((r) => setTimeout(r, 100));
      const rejected = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg?.toString().startsWith('entry rejected'));
      expect(rejected?.id).toBe(big);
      expect(String(rejected?.reason)).toMatch(/over the limit of 4194304 bytes/);
      // The XACK follows the log line: poll until the group has nothing pending (it must get there).
      let pendingCount: unknown = -1;
      for (let i = 0; i < 100 && pendingCount !== 0; i++) {
        pendingCount = ((await redis.call('XPENDING', [s, 'headwater-redisstreamsource-ns1-nodls'])) as unknown[])[0];
        if (pendingCount !== 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(pendingCount).toBe(0);
      expect(plain.requests.some((r) => r.headers['ce-id'] === big)).toBe(false);
    } finally {
      adapter.shutdown.trigger('test done');
      expect(await adapter.finished).toBe(0);
      await plain.close();
    }
  });

  it("reclaims a dead consumer's stale pending entries (XAUTOCLAIM)", async () => {
    const s = `rs-claim-${randomUUID().slice(0, 8)}`;
    const group = 'g';
    await ensureGroup(redis, s, group, '0');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await redis.xadd(s, '*', 'i', String(i))) as string);
    // "dead" reads them and never acknowledges.
    await redis.call('XREADGROUP', ['GROUP', group, 'dead', 'COUNT', '10', 'STREAMS', s, '>']);

    const conn = connectRedis({ address: testEnv.redisUrl() }, 'claim-test');
    const abort = new AbortController();
    const handled: string[] = [];
    let resolveAll: () => void = () => undefined;
    const all = new Promise<void>((r) => {
      resolveAll = r;
    });
    const reader = runGroupReader({
      redis: conn,
      stream: s,
      group,
      consumer: 'alive',
      signal: abort.signal,
      log: createLogger({}, { level: 'error' }),
      claimMinIdleMs: 300,
      claimEveryMs: 200,
      blockMs: 200,
      handle: async (e) => {
        handled.push(e.id);
        if (ids.every((id) => handled.includes(id))) resolveAll();
      },
    });
    await all;
    abort.abort();
    await reader;
    conn.disconnect();
    expect([...new Set(handled)].sort()).toEqual([...ids].sort());
    const summary = (await redis.call('XPENDING', [s, group])) as unknown[];
    expect(summary[0]).toBe(0);
  });
  it('re-creates its group when the stream is deleted under it, and reads what is written after', async () => {
    const s = `rs-del-${randomUUID().slice(0, 8)}`;
    await ensureGroup(redis, s, 'g', '$');
    const conn = connectRedis({ address: testEnv.redisUrl() }, 'del-test');
    const abort = new AbortController();
    const handled: string[] = [];
    const reader = runGroupReader({
      redis: conn,
      stream: s,
      group: 'g',
      consumer: 'c',
      signal: abort.signal,
      log: createLogger({}, { level: 'error' }),
      blockMs: 100,
      retryBaseMs: 50,
      handle: async (e) => {
        handled.push(e.id);
      },
    });
    const first = (await redis.xadd(s, '*', 'n', '1')) as string;
    for (let i = 0; i < 100 && !handled.includes(first); i++) await new Promise((r) => setTimeout(r, 50));
    await redis.del(s);
    // Keep writing until the reader has re-created the group and picked one up (the XADD recreates the stream).
    let after = '';
    for (let i = 0; i < 100 && !handled.includes(after); i++) {
      after = (await redis.xadd(s, '*', 'n', String(i + 2))) as string;
      await new Promise((r) => setTimeout(r, 100));
    }
    abort.abort();
    await reader;
    conn.disconnect();
    expect(handled).toContain(first);
    expect(handled).toContain(after);
  });
});
