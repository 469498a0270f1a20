/**
 * The NATS EventBus against a private nats-server (JetStream) that requires a token, run as Deployments run the
 * adapters: a redisstream source publishing to the bus (K_EVENT_BUS_CONFIG + BUS_NATS_TOKEN) and a Trigger
 * dispatcher consuming from it (K_TRIGGER_CONFIG + BUS_NATS_TOKEN), both the real adapter binary.
 * Without the token (or with a wrong one) neither turns ready, each says why, and nothing is taken: the source's
 * entries stay unread, the Trigger's durable consumer is never created. With it, every event arrives once.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CloudEvent } from 'cloudevents';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../../../../adapter/bus/create.js';
import { consumerNameFor } from '../../../../adapter/bus/nats.js';
import { durableName } from '../../../../adapter/trigger/index.js';
import { startAdapter } from '../../../support/adapter-process.js';
import { allOutput, tail, waitForRefusal, waitReady } from '../../../support/auth/adapter-runs.js';
import { type AuthNats, startAuthNats } from '../../../support/auth/nats.js';
import { testEnv, uniqueName } from '../../../support/env.js';
import { startTestSink, type TestSink } from '../../../support/test-sink.js';
import { waitFor } from '../../../support/wait-for.js';

const token = `ntok-${randomBytes(12).toString('hex')}`;
const stream = 'headwater';
let nats: AuthNats;
let sink: TestSink;
let redis: Redis;

beforeAll(async () => {
  nats = await startAuthNats(token);
  sink = await startTestSink();
  redis = new Redis(testEnv.redisUrl());
});
afterAll(async () => {
  redis?.disconnect();
  await sink?.close();
  await nats?.stop();
});

function requestsFor(ids: string[]): string[] {
  return sink.requests.map((r) => String(r.headers['ce-id'])).filter((id) => ids.includes(id));
}

async function consumerState(durable: string): Promise<{ ackPending: number; pending: number; delivered: number } | undefined> {
  const nc = await connect({ servers: nats.url, token });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info(stream, durable).catch(() => undefined);
    return info && { ackPending: info.num_ack_pending, pending: info.num_pending, delivered: info.delivered.stream_seq };
  } finally {
    await nc.close();
  }
}

describe('NATS EventBus with BUS_NATS_TOKEN', () => {
  it('source → bus → trigger: refused without the token or with a wrong one (nothing taken), then every event arrives', async () => {
    const name = uniqueName('auth-nbus');
    const topic = `auth-${name}`;
    const group = `g-${name}`;
    const bus = { backend: 'nats', nats: { url: nats.url, token: { secretKeyRef: { name: 'bus', key: 'token' } } } };
    // Events already on the bus (an authenticated client; this also creates the stream).
    const direct = await createBus({ backend: 'nats', nats: { url: nats.url, token } });
    const early = Array.from({ length: 3 }, (_, i) => new CloudEvent({ id: `${name}-early-${i}`, source: '/auth/test', type: 'test.auth.early', data: { i } }));
    try {
      for (const e of early) await direct.publish(topic, e);
    } finally {
      await direct.close();
    }
    // The source's entries, written after its group exists (as after an earlier run of the source).
    await redis.call('XGROUP', ['CREATE', name, group, '$', 'MKSTREAM']);
    const entryIds: string[] = [];
    for (let i = 0; i < 3; i++) entryIds.push((await redis.xadd(name, '*', 'seq', String(i))) as string);

    const triggerEnv = (secrets: Record<string, string>): Record<string, string> => ({
      NAMESPACE: 'auth',
      NAME: name,
      LOG_LEVEL: 'debug',
      K_TRIGGER_CONFIG: JSON.stringify({ bus, inputs: { a: { topic } }, subscribers: [{ sinkUri: sink.url, delivery: { retry: 1, backoffDelay: 'PT0.05S' } }] }),
      ...secrets,
    });
    const sourceEnv = (secrets: Record<string, string>): Record<string, string> => ({
      NAMESPACE: 'auth',
      NAME: name,
      HOSTNAME: `${name}-source`,
      LOG_LEVEL: 'debug',
      K_EVENT_BUS_CONFIG: JSON.stringify({ ...bus, topic }),
      K_SOURCE_CONFIG: JSON.stringify({ address: testEnv.redisUrl(), stream: name, group }),
      ...secrets,
    });
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const withWrong = startAdapter(['redisstream'], sourceEnv({ BUS_NATS_TOKEN: wrong }));
    const [trigger, source] = await Promise.all([
      waitForRefusal(startAdapter(['trigger'], triggerEnv({})), /cannot reach the nats event bus/),
      waitForRefusal(withWrong, /cannot reach the nats event bus/),
    ]);
    for (const r of [trigger, source]) {
      expect(r.everReady).toBe(false);
      expect([r.exitedByItself, r.exitCode]).toEqual([true, 1]);
      expect(r.text).toMatch(/Authorization Violation.*Check the EventBus address and credentials/i);
    }
    expect(allOutput(withWrong)).not.toContain(wrong);
    expect(requestsFor([...early.map((e) => e.id), ...entryIds])).toEqual([]);
    // Nothing taken: no durable consumer for the Trigger, the source's entries unread.
    const durable = consumerNameFor(durableName('auth', name), topic);
    expect(await consumerState(durable)).toBeUndefined();
    const [groupInfo] = (await redis.call('XINFO', ['GROUPS', name])) as unknown[][];
    expect(groupInfo).toEqual(expect.arrayContaining(['pending', 0, 'last-delivered-id', '0-0']));

    const t = startAdapter(['trigger'], triggerEnv({ BUS_NATS_TOKEN: token }));
    const s = startAdapter(['redisstream'], sourceEnv({ BUS_NATS_TOKEN: token }));
    try {
      await Promise.all([waitReady(t), waitReady(s)]);
      const wanted = [...early.map((e) => e.id), ...entryIds];
      await waitFor('bus events at the sink', async () => (requestsFor(wanted).length >= wanted.length ? true : undefined), 30_000, {
        describe: async () => `${tail(t)}\n${tail(s)}`,
      });
      expect(requestsFor(wanted).sort()).toEqual([...wanted].sort());
      const fromSource = sink.requests.find((r) => r.headers['ce-id'] === entryIds[2]);
      expect(fromSource?.event?.type).toBe('dev.knative.sources.redisstream');
      expect(fromSource?.event?.source).toBe(`/apis/v1/namespaces/auth/redisstreamsources/${name}#${name}`);
      expect(sink.requests.find((r) => r.headers['ce-id'] === early[2]!.id)?.event?.data).toEqual({ i: 2 });
      // All acknowledged: the Trigger's consumer has nothing pending, the source's group nothing pending.
      const acked = await waitFor(
        'trigger consumer and source group acked',
        async () => {
          const c = await consumerState(durable);
          const [g] = (await redis.call('XINFO', ['GROUPS', name])) as unknown[][];
          const pending = Number(g?.[(g?.indexOf('pending') ?? -2) + 1]);
          return c && c.ackPending === 0 && c.pending === 0 && pending === 0 ? c : undefined;
        },
        15_000,
      );
      expect(acked.delivered).toBe(early.length + entryIds.length);
    } finally {
      await Promise.all([t.stop(), s.stop()]);
      await redis.del(name);
    }
    expect([await t.exited, await s.exited]).toEqual([0, 0]);
    expect(allOutput(t) + allOutput(s)).not.toContain(token);
  });
});
