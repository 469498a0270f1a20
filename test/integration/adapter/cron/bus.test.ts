/**
 * The cron adapter on the bus path: with K_EVENT_BUS_CONFIG (NATS JetStream from hack/env.sh) its ticks are
 * published to the source's topic, where a durable consumer (what a Trigger dispatcher uses) reads them.
 */
import { randomUUID } from 'node:crypto';
import type { CloudEvent } from 'cloudevents';
import { afterAll, describe, expect, it } from 'vitest';
import { type Bus, createBus } from '../../../../adapter/bus/index.js';
import { createLogger } from '../../../../lib/log.js';
import { type AdapterProcess, startAdapter } from '../../../support/adapter-process.js';
import { testEnv } from '../../../support/env.js';

let adapter: AdapterProcess | undefined;
let bus: Bus | undefined;

afterAll(async () => {
  await adapter?.stop();
  await bus?.close();
});

describe('headwater-adapter cron on the event bus', () => {
  it('publishes ticks to the source topic on NATS JetStream', async () => {
    const suffix = randomUUID().slice(0, 8);
    const topic = `crontest-${suffix}`;
    const stream = `hwcrontest_${suffix}`;
    const busConfig = { backend: 'nats' as const, nats: { url: testEnv.natsUrl(), stream } };
    adapter = startAdapter(['cron', '--schedule', '* * * * * *', '--name', 'ticker', '--namespace', 'bus', '--data', 'tick'], {
      K_EVENT_BUS_CONFIG: JSON.stringify({ ...busConfig, topic }),
    });
    await adapter.waitForLog((l) => l.msg === 'ready');
    // the first publish creates the stream; consume once it exists
    await adapter.waitForLog((l) => l.msg === 'cron source added');
    bus = await createBus(busConfig, { logger: createLogger({}, { level: 'error' }) });
    const got: CloudEvent<unknown>[] = [];
    const reached = new Promise<void>((resolve) => {
      void bus?.consume(topic, 'cron-test', async (e) => {
        got.push(e);
        if (got.length === 2) resolve();
      });
    });
    await reached;
    for (const e of got) {
      expect(e.type).toBe('dev.knative.sources.ping');
      expect(e.source).toBe('/apis/v1/namespaces/bus/cronsources/ticker');
      expect(e.id).toBe(`bus/ticker/${e.time}`);
      expect(e.data).toBe('tick');
    }
    const metrics = await (await fetch(`${await adapter.healthUrl()}/metrics`)).text();
    expect(metrics).toMatch(/events_published_total\{role="cron"\} [1-9]/);
  });
});
