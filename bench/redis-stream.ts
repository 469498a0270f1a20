/**
 * Redis stream → sink: the redisstream adapter (a child process, as it runs for real) drains a pre-filled
 * stream of 1 KiB entries into the sink; then latency at half that rate. References in the same run: the HTTP
 * ceiling, the raw XREADGROUP (COUNT 100) + XACK loop of the same client (ioredis) with no delivery, and the
 * latency of a bare XREADGROUP (BLOCK) + XACK consumer at the same rate once the adapter stopped.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { groupReaderDefaults } from '../adapter/redisstream/group-reader.js';
import { testEnv } from '../test/support/env.js';
import { bracketCeiling, measureCeiling } from './http-ceiling.js';
import { startBareConsumer } from './lib/bare-latency.js';
import { deliveryRows, type RawConsume } from './lib/delivery-rows.js';
import { drainWarmup, measureDrain } from './lib/drain.js';
import { defaultSettleMs, measureHalfRate } from './lib/half-rate.js';
import { brokerProcess } from './lib/listening-pid.js';
import { payloadBytes } from './lib/payload.js';
import { freePort, spawnAdapter } from './lib/proc.js';
import { ReadSpan } from './lib/read-span.js';
import { startSink } from './lib/sink.js';
import type { Row } from './lib/table.js';
import type { BenchContext, Benchmark } from './lib/types.js';

/** The entry's one field: its event data `{"pad":"…"}` is then exactly 1 KiB. */
const padValue = 'x'.repeat(payloadBytes - Buffer.byteLength('{"pad":""}'));

async function fill(redis: Redis, stream: string, count: number): Promise<void> {
  for (let done = 0; done < count; ) {
    const n = Math.min(1000, count - done);
    const p = redis.pipeline();
    for (let i = 0; i < n; i++) p.xadd(stream, '*', 'pad', padValue);
    await p.exec();
    done += n;
  }
}

/** The reference: read and acknowledge with the same client and batch size, delivering nothing. */
async function rawConsume(redis: Redis, stream: string, count: number): Promise<RawConsume> {
  const group = `raw-${randomUUID().slice(0, 8)}`;
  await redis.xgroup('CREATE', stream, group, '0');
  let read = 0;
  const span = new ReadSpan();
  span.mark();
  while (read < count) {
    const reply = (await redis.xreadgroup('GROUP', group, 'raw', 'COUNT', groupReaderDefaults.batchSize, 'STREAMS', stream, '>')) as
      | [string, [string, string[]][]][]
      | null;
    const entries = reply?.[0]?.[1] ?? [];
    if (entries.length === 0) break;
    await redis.xack(stream, group, ...entries.map((e) => e[0]));
    read += entries.length;
  }
  span.mark();
  await redis.xgroup('DESTROY', stream, group);
  return span.result(read);
}

export const redisStream: Benchmark = {
  name: 'redis',
  title: 'Redis stream → sink (redisstream adapter) vs raw XREADGROUP+XACK',
  async run(ctx: BenchContext): Promise<Row[]> {
    // The timed backlog, after the adapter's warm-up (drain.ts).
    const timedBacklog = ctx.quick ? 20_000 : 100_000;
    const backlog = drainWarmup + timedBacklog;
    const halfRateMs = ctx.quick ? 5_000 : 20_000;
    const redisUrl = testEnv.redisUrl();
    const redis = new Redis(redisUrl);
    const stream = `bench-rs-${randomUUID().slice(0, 8)}`;
    const group = 'bench';
    const sink = await startSink(ctx.distDir);
    let adapter: ReturnType<typeof spawnAdapter> | undefined;
    try {
      ctx.log(`redis: filling ${stream} with ${backlog} entries (${drainWarmup} of them the warm-up)`);
      await fill(redis, stream, backlog);
      const raw = await rawConsume(redis, stream, backlog);
      const ceilingBefore = await measureCeiling(ctx, sink);
      await sink.reset();
      // The group exists before the adapter starts, at 0, so the adapter drains the whole backlog.
      await redis.xgroup('CREATE', stream, group, '0');
      const port = await freePort();
      adapter = spawnAdapter(ctx.distDir, 'redisstream', {
        K_SINK: sink.url,
        NAMESPACE: 'bench',
        NAME: 'redis',
        K_SOURCE_CONFIG: JSON.stringify({ address: redisUrl, stream, group }),
        PORT: String(port),
        BIND_ADDRESS: '127.0.0.1',
        LOG_LEVEL: 'warn',
        HOSTNAME: 'bench',
      });
      const drain = await measureDrain(adapter, port, sink, backlog, drainWarmup, { readyMs: 30_000, drainMs: 180_000 }, brokerProcess('redis-server', redisUrl));
      const { rate } = drain;
      // Measured again while the adapter idles: its reference is the mean of the two (http-ceiling.ts).
      const ceiling = bracketCeiling(ceilingBefore, await measureCeiling(ctx, sink));
      ctx.log(`redis: adapter ${rate?.toFixed(0)} ev/s, raw ${raw.eventsPerSecond.toFixed(0)} ev/s, ceiling ${ceiling.eventsPerSecond.toFixed(0)} ev/s`);

      // Latency at half the rate just measured: produced live, so the entry id time is the produce time.
      const send = async (n: number): Promise<void> => {
        const p = redis.pipeline();
        for (let i = 0; i < n; i++) p.xadd(stream, '*', 'pad', padValue);
        await p.exec();
      };
      const phase = { settleMs: defaultSettleMs, measureMs: halfRateMs, waitMs: 60_000 };
      const half = await measureHalfRate(sink, (rate ?? 1000) / 2, { ...phase, adapterPid: adapter.pid }, send);
      const [, bareConsumer] = await Promise.all([adapter.stop(), startBareConsumer(ctx.distDir, { kind: 'redis', url: redisUrl, stream }, send)]);
      adapter = undefined;
      const bare = await bareConsumer.measure((rate ?? 1000) / 2, phase);
      ctx.log(`redis: p99 ${half.stats.latency.p99} ms; a bare XREADGROUP consumer at the same rate ${bare.stats.latency.p99} ms`);
      return deliveryRows({
        bench: 'redis',
        label: '',
        eventsPerSecond: rate,
        ceiling,
        drainCpu: { who: 'adapter', drain, note: `${drain.timed} entries of 1 KiB timed after ${drainWarmup} of warm-up, ${groupReaderDefaults.batchSize} per XREADGROUP` },
        raw: { label: 'raw XREADGROUP+XACK', ...raw },
        minFractionOfLimit: 0.8,
        halfRate: half,
        bareLatency: { label: 'XREADGROUP+XACK consumer', half: bare },
        p99TargetMs: 20,
      });
    } finally {
      await adapter?.stop();
      await sink.close();
      await redis.del(stream).catch(() => undefined);
      redis.disconnect();
    }
  },
};
