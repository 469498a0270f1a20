/**
 * Smoke test of the local NATS server with JetStream through the @nats-io v3 clients (which pull
 * @nats-io/nuid, declared for Node >= 22: connecting and creating inboxes runs it on this Node). A message
 * published to a stream is consumed and acked by a durable consumer; after a reconnect the same durable
 * resumes with the next message instead of starting over.
 */
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { testEnv, uniqueName } from '../../support/env.js';

describe('nats jetstream smoke', () => {
  const stream = uniqueName('smoke').replace(/-/g, '_');
  const durable = 'smoke-durable';
  const connections: NatsConnection[] = [];
  const open = async (): Promise<NatsConnection> => {
    const nc = await connect({ servers: testEnv.natsUrl() });
    connections.push(nc);
    return nc;
  };

  afterAll(async () => {
    const nc = await open().catch(() => undefined);
    if (nc) await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await Promise.allSettled(connections.map((c) => c.close()));
  });

  it('publishes to a stream and consumes durably', async () => {
    const nc = await open();
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
    await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit });

    const js = jetstream(nc);
    const ack1 = await js.publish(`${stream}.a`, 'one');
    expect(ack1).toMatchObject({ stream, seq: 1 });

    const first = await (await js.consumers.get(stream, durable)).next({ expires: 10_000 });
    expect(first?.string()).toBe('one');
    expect(first?.subject).toBe(`${stream}.a`);
    first?.ack();
    await nc.flush();
    await nc.close();

    const nc2 = await open();
    const js2 = jetstream(nc2);
    await js2.publish(`${stream}.b`, 'two');
    const second = await (await js2.consumers.get(stream, durable)).next({ expires: 10_000 });
    expect(second?.string()).toBe('two');
    expect(second?.info.streamSequence).toBe(2);
    await second?.ackAck();

    const info = await (await jetstreamManager(nc2)).consumers.info(stream, durable);
    expect(info.num_ack_pending).toBe(0);
    expect(info.delivered.stream_seq).toBe(2);
  });
});
