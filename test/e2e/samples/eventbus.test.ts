/**
 * samples/sources/eventbus.yaml end to end: the EventBus "default" on NATS JetStream turns Ready once the
 * controller reached the server, and a source on the bus path (the CronSource of samples/demo/trigger-inputs.yaml,
 * `eventBus: default`) publishes its events as structured CloudEvents to the sample's stream, subject
 * `<stream>.<namespace>-<source>`, read back here straight from JetStream.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFiles, sampleFiles } from '../../../hack/demo/plan.js';
import { testEnv } from '../../support/env.js';
import { busDataAsJson, condition, eventingPath, type SampleStack, sourcesPath, startSampleStack, waitFor, waitReady } from './support.js';

let stack: SampleStack;
let nc: NatsConnection;

beforeAll(async () => {
  stack = await startSampleStack('bus');
  nc = await connect({ servers: testEnv.natsUrl() });
  const heartbeat = stack.load(demoFiles.triggerInputs).filter((o) => o.kind === 'CronSource');
  await stack.apply([...stack.load(sampleFiles.eventbus), ...heartbeat]);
}, 180_000);

afterAll(async () => {
  await nc?.close();
  await stack?.stop();
}, 180_000);

describe('samples/sources/eventbus.yaml', () => {
  it('is Ready once the NATS server answered', async () => {
    const bus = await waitReady(stack, eventingPath(stack.namespace, 'eventbuses', 'default'));
    expect(condition(bus, 'BackendReachable')?.status).toBe('True');
    expect(bus.status?.backend).toBe('nats');
  }, 150_000);

  it('makes a bus-path source Ready without a sink', async () => {
    const src = await waitReady(stack, sourcesPath(stack.namespace, 'cronsources', 'heartbeat'));
    expect(condition(src, 'EventBusReady')?.status).toBe('True');
    expect(src.status?.sinkUri).toBeUndefined();
  }, 150_000);

  it("carries the source's events on the sample's JetStream stream", async () => {
    const jsm = await jetstreamManager(nc);
    const subject = `headwater-default.${stack.namespace}-heartbeat`;
    const msg = await waitFor(`a message on ${subject}`, async () => (await jsm.streams.getMessage('headwater-default', { last_by_subj: subject })) ?? undefined);
    const event = msg.json<Record<string, unknown>>();
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'dev.knative.sources.ping',
      source: `/apis/v1/namespaces/${stack.namespace}/cronsources/heartbeat`,
      datacontenttype: 'application/json',
    });
    // The cron data travels as the text the sample gives (a JSON string member), so the Trigger re-sends those exact bytes.
    expect(busDataAsJson(event)).toEqual({ message: 'Hello from the bus!' });
  }, 120_000);
});
