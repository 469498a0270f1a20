/**
 * Bus → Trigger → subscriber: events published to a NATS JetStream topic are drained by the trigger dispatcher
 * (child process) through a CEL condition (`a || b`, two inputs) to the sink; then latency at half that rate.
 * References in the same run: the HTTP ceiling, and the raw pull-consume + ack rate of the same NATS client.
 */
import { randomUUID } from 'node:crypto';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CloudEvent } from 'cloudevents';
import pLimit from 'p-limit';
import { createBus } from '../adapter/bus/create.js';
import { subjectFor } from '../adapter/bus/nats.js';
import { TurnAcks } from '../adapter/bus/turn-acks.js';
import type { Bus } from '../adapter/bus/types.js';
import { createLogger } from '../lib/log.js';
import { testEnv } from '../test/support/env.js';
import { bracketCeiling, measureCeiling } from './http-ceiling.js';
import { deliveryRows, type RawConsume } from './lib/delivery-rows.js';
import { drainWarmup, measureDrain } from './lib/drain.js';
import { defaultSettleMs, measureHalfRate } from './lib/half-rate.js';
import { brokerProcess } from './lib/listening-pid.js';
import { jsonPayload } from './lib/payload.js';
import { freePort, spawnAdapter } from './lib/proc.js';
import { ReadSpan } from './lib/read-span.js';
import { startSink } from './lib/sink.js';
import type { Row } from './lib/table.js';
import type { BenchContext, Benchmark } from './lib/types.js';

const data = JSON.parse(jsonPayload().toString('utf8')) as unknown;

function event(i: number): CloudEvent<unknown> {
  // time = now: the trigger forwards it, so the sink's receipt − time is publish-to-subscriber latency.
  return new CloudEvent<unknown>({ id: `e${i}`, type: 'dev.headwater.bench', source: '/bench/trigger', datacontenttype: 'application/json', data, time: new Date().toISOString() });
}

async function publishMany(bus: Bus, topic: string, count: number, from: number): Promise<void> {
  const limit = pLimit(256); // publish acks in flight; bounded so the client never buffers the whole backlog
  await Promise.all(Array.from({ length: count }, (_, i) => limit(() => bus.publish(topic, event(from + i)))));
}

/** The reference: the same NATS client pulling and acking the topic, with no decoding and no delivery. */
async function rawConsume(url: string, streamName: string, topic: string, count: number, timeoutMs: number): Promise<RawConsume> {
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  const name = `bench-raw-${randomUUID().slice(0, 8)}`;
  await jsm.consumers.add(streamName, { durable_name: name, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: subjectFor(streamName, topic) });
  try {
    const consumer = await jetstream(nc).consumers.get(streamName, name);
    // As the bus consumer pulls with the adapter's 64 in flight (adapter/bus/nats.ts: twice the concurrency).
    const messages = await consumer.consume({ max_messages: 128 });
    let read = 0;
    const span = new ReadSpan();
    const timer = setTimeout(() => void messages.close(), timeoutMs);
    // Acked as the bus consumer acks (adapter/bus/turn-acks.ts): a socket write per ack made this reference cost
    // two to three times what the client costs the adapter.
    const acks = new TurnAcks();
    for await (const m of messages) {
      if (read === 0) span.mark();
      acks.ack(m);
      read++;
      span.mark();
      if (read >= count) break;
    }
    acks.flush();
    clearTimeout(timer);
    await messages.close();
    // From the first read to the last: the first read's own time is not in the span.
    return span.result(read - 1);
  } finally {
    await jsm.consumers.delete(streamName, name).catch(() => undefined);
    await nc.close();
  }
}

export const triggerBench: Benchmark = {
  name: 'trigger',
  title: 'NATS JetStream bus → Trigger (CEL condition) → subscriber',
  async run(ctx: BenchContext): Promise<Row[]> {
    // The timed backlog, after the dispatcher's warm-up (drain.ts).
    const backlog = drainWarmup + (ctx.quick ? 10_000 : 50_000);
    const url = testEnv.natsUrl();
    const id = randomUUID().slice(0, 8);
    const topicA = `bench-trig-${id}-a`;
    const topicB = `bench-trig-${id}-b`;
    // A stream of its own (subjects <stream>.<topic>), deleted at the end: nothing shared with other users of the server.
    const streamName = `bench_${id}`;
    const busConfig = { backend: 'nats' as const, nats: { url, stream: streamName } };
    const bus = await createBus(busConfig, { logger: createLogger({}, { level: 'warn' }) });
    const sink = await startSink(ctx.distDir);
    let adapter: ReturnType<typeof spawnAdapter> | undefined;
    try {
      ctx.log(`trigger: publishing ${backlog} events to ${topicA} (${drainWarmup} of them the warm-up)`);
      await publishMany(bus, topicA, backlog, 0);
      const raw = await rawConsume(url, streamName, topicA, backlog, 120_000);
      const ceilingBefore = await measureCeiling(ctx, sink);
      await sink.reset();
      const port = await freePort();
      adapter = spawnAdapter(ctx.distDir, 'trigger', {
        NAMESPACE: 'bench',
        NAME: `trig-${id}`,
        K_TRIGGER_CONFIG: JSON.stringify({
          bus: busConfig,
          inputs: { a: { topic: topicA }, b: { topic: topicB } },
          subscribers: [{ condition: 'a || b', sinkUri: sink.url }],
        }),
        PORT: String(port),
        BIND_ADDRESS: '127.0.0.1',
        LOG_LEVEL: 'warn',
      });
      const drain = await measureDrain(adapter, port, sink, backlog, drainWarmup, { readyMs: 60_000, drainMs: ctx.quick ? 60_000 : 300_000 }, brokerProcess('nats-server', url));
      const { rate } = drain;
      // Measured again while the dispatcher idles: its reference is the mean of the two (http-ceiling.ts).
      const ceiling = bracketCeiling(ceilingBefore, await measureCeiling(ctx, sink));
      ctx.log(`trigger: ${rate?.toFixed(0)} ev/s, raw ${raw.eventsPerSecond.toFixed(0)} ev/s`);

      let next = backlog;
      const half = await measureHalfRate(sink, (rate ?? 500) / 2, { settleMs: defaultSettleMs, measureMs: ctx.quick ? 5_000 : 20_000, waitMs: 60_000, adapterPid: adapter.pid }, async (n) => {
        await publishMany(bus, topicA, n, next);
        next += n;
      });
      return [
        ...deliveryRows({
          bench: 'trigger',
          label: '',
          eventsPerSecond: rate,
          ceiling,
          drainCpu: { who: 'dispatcher', drain, note: `${drain.timed} events timed after ${drainWarmup} of warm-up` },
          raw: { label: 'raw JetStream pull+ack', ...raw },
          halfRate: half,
        }),
      ];
    } finally {
      await adapter?.stop();
      await sink.close();
      // Leave the shared stream as we found it: our consumers and our topics' messages go.
      const nc = await connect({ servers: url }).catch(() => undefined);
      if (nc) {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.delete(streamName).catch(() => undefined);
        await nc.close();
      }
      await bus.close();
    }
  },
};
