/**
 * Source → EventBus → Trigger → subscribers, on each bus backend, with the real roles running in-process
 * through the runtime lifecycle: a Redis stream entry published on the bus by the redisstream role reaches
 * the Trigger; filters, a CEL condition over two inputs, a republish to a topic and a dead-letter sink for a
 * subscriber that refuses the event all work.
 */
import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createBus } from '../../../../adapter/bus/create.js';
import type { Bus, BusConfig } from '../../../../adapter/bus/types.js';
import { run as runRedisStream } from '../../../../adapter/redisstream/index.js';
import { runAdapter } from '../../../../adapter/runtime/lifecycle.js';
import { run as runTrigger } from '../../../../adapter/trigger/index.js';
import { waitAdapterReady } from '../../../support/adapter-ready.js';
import { testEnv } from '../../../support/env.js';
import { startTestSink } from '../../../support/test-sink.js';

function busConfig(backend: BusConfig['backend']): BusConfig {
  switch (backend) {
    case 'nats':
      return { backend, nats: { url: testEnv.natsUrl() } };
    case 'redis':
      return { backend, redis: { address: testEnv.redisUrl() } };
    case 'kafka':
      return { backend, kafka: { bootstrapServers: testEnv.kafkaBrokers() } };
  }
}

const common = { PORT: '0', BIND_ADDRESS: '127.0.0.1', LOG_LEVEL: 'warn' };

describe.each(['nats', 'redis', 'kafka'] as const)('trigger on the %s bus', (backend) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('routes a source event and a second input through filters, condition, republish and dead-letter sink', async () => {
    const u = randomUUID().slice(0, 8);
    const srcTopic = `ns-src-${u}`;
    const otherTopic = `ns-other-${u}`;
    const outTopic = `ns-out-${u}`;
    const stream = `trig-${u}`;
    const [all, both, refusing, dls] = await Promise.all([startTestSink(), startTestSink(), startTestSink(), startTestSink()]);
    refusing.setDefault({ status: 400, body: 'no thanks' });
    for (const s of [all, both, refusing, dls]) cleanups.push(() => s.close());
    const cfg = busConfig(backend);
    const bus: Bus = await createBus(cfg);
    cleanups.push(() => bus.close());
    const redis = new Redis(testEnv.redisUrl());
    cleanups.push(async () => redis.disconnect());

    // Watch the republish topic before anything is published on it.
    const republished: CloudEvent<unknown>[] = [];
    const outSub = await bus.consume(outTopic, 'test-watcher', async (e) => {
      republished.push(e);
    });
    cleanups.push(() => outSub.close());

    const trigger = await runAdapter(
      'trigger',
      [],
      {
        ...common,
        NAMESPACE: 'ns',
        NAME: `t-${u}`,
        K_TRIGGER_CONFIG: JSON.stringify({
          bus: cfg,
          inputs: { a: { topic: srcTopic }, b: { topic: otherTopic } },
          filters: [{ any: [{ exact: { type: 'dev.knative.sources.redisstream' } }, { prefix: { type: 'test.b' } }] }],
          subscribers: [
            { sinkUri: all.url },
            { condition: 'a && b', sinkUri: both.url },
            { condition: 'b', topic: outTopic },
            { condition: 'a', sinkUri: refusing.url, deadLetterSinkUri: dls.url, delivery: { retry: 1, backoffDelay: 'PT0.05S' } },
          ],
        }),
      },
      { handleSignals: false, runRole: runTrigger },
    );
    cleanups.push(async () => {
      trigger.shutdown.trigger('test done');
      await trigger.finished;
    });
    await waitAdapterReady(trigger);

    const source = await runAdapter(
      'redisstream',
      [],
      {
        ...common,
        NAMESPACE: 'ns',
        NAME: `src-${u}`,
        K_EVENT_BUS_CONFIG: JSON.stringify({ ...cfg, topic: srcTopic }),
        K_SOURCE_CONFIG: JSON.stringify({ address: testEnv.redisUrl(), stream }),
      },
      { handleSignals: false, runRole: runRedisStream },
    );
    cleanups.push(async () => {
      source.shutdown.trigger('test done');
      await source.finished;
    });
    await waitAdapterReady(source);

    const entryId = (await redis.xadd(stream, '*', 'order', 'o-1')) as string;
    const first = await all.waitForRequests(1, 60_000);
    expect(first[0]?.event?.id).toBe(entryId);
    expect(first[0]?.event?.source).toBe(`/apis/v1/namespaces/ns/redisstreamsources/src-${u}#${stream}`);
    expect(first[0]?.event?.data).toEqual({ order: 'o-1' });

    // Subscriber 3 refuses with 400 (not retryable): the event goes to its dead-letter sink with the reason.
    const dead = await dls.waitForRequests(1, 60_000);
    expect(dead[0]?.headers['ce-id']).toBe(entryId);
    expect(dead[0]?.headers['ce-knativeerrorcode']).toBe('400');

    // Filtered out: wrong type on an input topic.
    await bus.publish(otherTopic, new CloudEvent<unknown>({ id: `skip-${u}`, source: '/test', type: 'other.type', data: 'x' }));
    // Input b: completes `a && b` (a was seen with the entry) and `b`.
    await bus.publish(otherTopic, new CloudEvent<unknown>({ id: `b-${u}`, source: '/test', type: 'test.b.created', data: { b: true } }));

    const bothGot = await both.waitForRequests(1, 60_000);
    expect(bothGot[0]?.event?.id).toBe(`b-${u}`);
    const allGot = await all.waitForRequests(2, 60_000);
    expect(allGot.map((r) => r.event?.id)).toEqual([entryId, `b-${u}`]);
    for (let i = 0; i < 300 && republished.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(republished.map((e) => e.id)).toEqual([`b-${u}`]);
    expect(republished[0]?.data).toEqual({ b: true });
    // The filtered-out event reached nobody; the condition `a && b` fired exactly once.
    expect([...all.requests, ...both.requests].some((r) => r.event?.id === `skip-${u}`)).toBe(false);
    expect(both.requests).toHaveLength(1);
  });
});
