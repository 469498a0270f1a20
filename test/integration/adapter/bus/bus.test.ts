/**
 * The Bus contract against the real backends: what is published arrives byte for byte, a rejected message
 * comes back, a durable consumer resumes where it stopped, a foreign message is reported and skipped.
 */
import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { afterAll, describe, expect, it } from 'vitest';
import { createBus } from '../../../../adapter/bus/create.js';
import type { Bus, BusConfig } from '../../../../adapter/bus/types.js';
import { createLogger } from '../../../../lib/log.js';
import { testEnv } from '../../../support/env.js';

const logger = createLogger({ test: 'bus' }, { level: 'warn' });

function configFor(backend: BusConfig['backend']): BusConfig {
  switch (backend) {
    case 'nats':
      return { backend, nats: { url: testEnv.natsUrl(), stream: 'headwater-test' } };
    case 'redis':
      return { backend, redis: { address: testEnv.redisUrl() } };
    case 'kafka':
      return { backend, kafka: { bootstrapServers: testEnv.kafkaBrokers() } };
  }
}

function events(n: number, topic: string): CloudEvent<unknown>[] {
  return Array.from({ length: n }, (_, i) =>
    i % 2 === 0
      ? new CloudEvent<unknown>({ id: `${topic}-${i}`, source: '/test', type: 'bus.test', datacontenttype: 'application/octet-stream', data: new Uint8Array([i & 255, 0xff, 0x00, 0xfe]) })
      : new CloudEvent<unknown>({ id: `${topic}-${i}`, source: '/test', type: 'bus.test', datacontenttype: 'application/json', data: { i, text: 'ü€' }, tenant: 'a' }),
  );
}

/** Resolves when `predicate` holds, checked on every call of `tick`; rejects after `ms` so a broken run ends. */
function until(predicate: () => boolean, ms: number): { tick: () => void; reached: Promise<void> } {
  let resolve: () => void = () => undefined;
  const reached = new Promise<void>((res, rej) => {
    resolve = res;
    setTimeout(() => rej(new Error('condition not reached in time')), ms).unref();
  });
  return { tick: () => (predicate() ? resolve() : undefined), reached };
}

describe.each(['nats', 'redis', 'kafka'] as const)('%s bus', (backend) => {
  const buses: Bus[] = [];
  afterAll(async () => {
    await Promise.allSettled(buses.map((b) => b.close()));
  });
  const open = async (): Promise<Bus> => {
    const b = await createBus(configFor(backend), { logger });
    buses.push(b);
    return b;
  };

  it('delivers every published event with the same bytes, and redelivers a rejected one', async () => {
    const bus = await open();
    const topic = `t-${randomUUID().slice(0, 8)}`;
    const sent = events(20, topic);
    for (const e of sent) await bus.publish(topic, e);

    const got = new Map<string, CloudEvent<unknown>>();
    const attempts = new Map<string, number>();
    const wait = until(() => got.size === sent.length, 60_000);
    const sub = await bus.consume(
      topic,
      'durable-a',
      async (e) => {
        const n = (attempts.get(e.id) ?? 0) + 1;
        attempts.set(e.id, n);
        // Every third event fails its first delivery: it must come back.
        if (n === 1 && Number(e.id.split('-').pop()) % 3 === 0) throw new Error('first try fails');
        got.set(e.id, e);
        wait.tick();
      },
      { redeliveryDelayMs: 100 },
    );
    await wait.reached;
    await sub.close();

    for (const e of sent) {
      const r = got.get(e.id);
      expect(r, e.id).toBeDefined();
      expect(r?.type).toBe('bus.test');
      if (e.data instanceof Uint8Array) expect(Buffer.from(r?.data as Uint8Array).equals(Buffer.from(e.data))).toBe(true);
      else {
        expect(r?.data).toEqual(e.data);
        expect((r as unknown as Record<string, unknown>).tenant).toBe('a');
      }
    }
    const retried = [...attempts.entries()].filter(([, n]) => n > 1).map(([id]) => id);
    expect(retried.length).toBeGreaterThanOrEqual(7);
  });

  it('a durable consumer resumes after a restart without losing the rest', async () => {
    const bus = await open();
    const topic = `t-${randomUUID().slice(0, 8)}`;
    const sent = events(30, topic);
    for (const e of sent) await bus.publish(topic, e);

    const got = new Set<string>();
    const first = until(() => got.size >= 10, 60_000);
    const sub1 = await bus.consume(topic, 'durable-r', async (e) => {
      got.add(e.id);
      first.tick();
    });
    await first.reached;
    await sub1.close();

    const all = until(() => sent.every((e) => got.has(e.id)), 60_000);
    const bus2 = await open();
    const sub2 = await bus2.consume(topic, 'durable-r', async (e) => {
      got.add(e.id);
      all.tick();
    });
    all.tick();
    await all.reached;
    await sub2.close();
    expect(sent.filter((e) => !got.has(e.id))).toEqual([]);
  });

  it('two durables each get every event', async () => {
    const bus = await open();
    const topic = `t-${randomUUID().slice(0, 8)}`;
    const sent = events(6, topic);
    const a = new Set<string>();
    const b = new Set<string>();
    const wait = until(() => a.size === 6 && b.size === 6, 60_000);
    const subA = await bus.consume(topic, 'da', async (e) => {
      a.add(e.id);
      wait.tick();
    });
    const subB = await bus.consume(topic, 'db', async (e) => {
      b.add(e.id);
      wait.tick();
    });
    for (const e of sent) await bus.publish(topic, e);
    await wait.reached;
    await Promise.all([subA.close(), subB.close()]);
    expect([...a].sort()).toEqual(sent.map((e) => e.id).sort());
    expect([...b].sort()).toEqual(sent.map((e) => e.id).sort());
  });
});

describe.each(['nats', 'redis', 'kafka'] as const)('%s bus: foreign messages', (backend) => {
  it('a message that is not a CloudEvent is reported, acknowledged, and does not block the next one', async () => {
    const bus = await createBus(configFor(backend), { logger });
    const topic = `t-${randomUUID().slice(0, 8)}`;
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x7b]);
    // Write garbage with the backend's own client, where the bus would put an event.
    if (backend === 'redis') {
      const { Redis } = await import('ioredis');
      const r = new Redis(testEnv.redisUrl());
      await r.call('XADD', [`headwater.${topic}`, '*', 'ce', garbage]);
      await r.call('XADD', [`headwater.${topic}`, '*', 'other', 'field']);
      r.disconnect();
    } else if (backend === 'nats') {
      const { connect } = await import('@nats-io/transport-node');
      const { jetstream } = await import('@nats-io/jetstream');
      // Make sure the stream exists (createBus did) and publish raw bytes on the topic's subject.
      const nc = await connect({ servers: testEnv.natsUrl() });
      await jetstream(nc).publish(`headwater-test.${topic}`, garbage);
      await nc.close();
    } else {
      const { Kafka, logLevel } = await import('kafkajs');
      const k = new Kafka({ clientId: 'garbage', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING });
      const admin = k.admin();
      await admin.connect();
      await admin.createTopics({ topics: [{ topic: `headwater.${topic}` }], waitForLeaders: true });
      await admin.disconnect();
      const p = k.producer();
      await p.connect();
      await p.send({ topic: `headwater.${topic}`, acks: -1, messages: [{ value: garbage }] });
      await p.disconnect();
    }
    const good = new CloudEvent<unknown>({ id: `${topic}-good`, source: '/test', type: 'bus.test', data: { ok: true } });
    await bus.publish(topic, good);

    const reasons: string[] = [];
    const got: string[] = [];
    const wait = until(() => got.length === 1, 60_000);
    const sub = await bus.consume(
      topic,
      'foreign',
      async (e) => {
        got.push(e.id);
        wait.tick();
      },
      { onUndecodable: (_raw, reason) => void reasons.push(reason) },
    );
    await wait.reached;
    await sub.close();
    await bus.close();
    expect(got).toEqual([`${topic}-good`]);
    expect(reasons.length).toBe(backend === 'redis' ? 2 : 1);
    expect(reasons[0]).toMatch(/invalid JSON/);
  });
});
