/**
 * The Redis EventBus over TLS against a private redis-server (password, and a TLS port with a locally made CA):
 * the real adapter binary on both ends of the bus path — a redisstream source publishing to the bus and a Trigger
 * dispatcher delivering from it to the test sink — with BUS_REDIS_PASSWORD and BUS_REDIS_TLS_CA in the
 * environment as the controller's secretKeyRefs put them there. TLS is asked for both ways the EventBus allows:
 * `tls.enable` with host:port, and a `rediss://` address.
 * Without the CA: never ready, the log names BUS_REDIS_TLS_CA, the adapter stops, and nothing is taken (the
 * Trigger's group is not created on the bus, the source's entries stay unread). With it: every event arrives and
 * is acknowledged on both ends. (redis-auth.test.ts covers the password on the plain port.)
 */
import { randomBytes } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../../../../adapter/bus/create.js';
import { streamKeyFor } from '../../../../adapter/bus/redis.js';
import { durableName } from '../../../../adapter/trigger/index.js';
import { type AdapterProcess, startAdapter } from '../../../support/adapter-process.js';
import { allOutput, tail, waitForRefusal, waitReady } from '../../../support/auth/adapter-runs.js';
import { makeTestPki, type TestPki } from '../../../support/auth/pki.js';
import { type AuthRedis, startAuthRedis } from '../../../support/auth/redis.js';
import { uniqueName } from '../../../support/env.js';
import { startTestSink, type TestSink } from '../../../support/test-sink.js';
import { waitFor } from '../../../support/wait-for.js';
import { redisGroupState } from '../../../support/broker-state.js';

const password = `rbpw-${randomBytes(12).toString('hex')}`;
let pki: TestPki;
let redis: AuthRedis;
let sink: TestSink;

beforeAll(async () => {
  pki = makeTestPki();
  redis = await startAuthRedis(password, pki);
  sink = await startTestSink();
});
afterAll(async () => {
  await sink?.close();
  await redis?.stop();
});

const groupState = redisGroupState;

const idsAtSink = (ids: string[]) => sink.requests.map((r) => String(r.headers['ce-id'])).filter((id) => ids.includes(id));

describe('Redis EventBus over TLS with BUS_REDIS_TLS_CA', () => {
  it('source → bus → trigger: without the CA refused naming BUS_REDIS_TLS_CA and nothing taken; with it (tls.enable and rediss://) every event arrives', async () => {
    const tlsAddress = redis.tlsAddress!;
    const name = uniqueName('auth-rbus-tls');
    const stream = name;
    const group = `g-${name}`;
    const topic = `auth-${name}`;
    const viaEnable = { backend: 'redis', redis: { address: tlsAddress, tls: { enable: true } } };
    const viaUrl = { backend: 'redis', redis: { address: `rediss://${tlsAddress}` } };

    // Events already on the bus (written on the plain port, same server), as an earlier source run would have.
    const direct = await createBus({ backend: 'redis', redis: { address: redis.address, password } });
    const early = Array.from({ length: 2 }, (_, i) => new CloudEvent({ id: `${name}-early-${i}`, source: '/auth/test', type: 'test.auth.early', data: { i } }));
    try {
      for (const e of early) await direct.publish(topic, e);
    } finally {
      await direct.close();
    }
    // The source's own input, on the plain port: a group that exists and entries not yet read.
    await redis.admin.call('XGROUP', ['CREATE', stream, group, '$', 'MKSTREAM']);
    const entryIds: string[] = [];
    for (let i = 0; i < 3; i++) entryIds.push((await redis.admin.xadd(stream, '*', 'seq', String(i))) as string);

    const trigger = (bus: object, secrets: Record<string, string>): AdapterProcess =>
      startAdapter(['trigger'], {
        NAMESPACE: 'auth',
        NAME: name,
        HOSTNAME: `${name}-trigger`,
        LOG_LEVEL: 'debug',
        K_TRIGGER_CONFIG: JSON.stringify({ bus, inputs: { a: { topic } }, subscribers: [{ sinkUri: sink.url, delivery: { retry: 1, backoffDelay: 'PT0.05S' } }] }),
        BUS_REDIS_PASSWORD: password,
        ...secrets,
      });
    const source = (bus: object, secrets: Record<string, string>): AdapterProcess =>
      startAdapter(['redisstream'], {
        NAMESPACE: 'auth',
        NAME: name,
        HOSTNAME: `${name}-source`,
        LOG_LEVEL: 'debug',
        K_EVENT_BUS_CONFIG: JSON.stringify({ ...bus, topic }),
        K_SOURCE_CONFIG: JSON.stringify({ address: redis.address, stream, group }),
        REDIS_PASSWORD: password,
        BUS_REDIS_PASSWORD: password,
        ...secrets,
      });

    // No CA: the system roots do not know the test CA.
    const [t0, s0] = await Promise.all([
      waitForRefusal(trigger(viaEnable, {}), /BUS_REDIS_TLS_CA \(spec\.redis\.tls\.caCert of the EventBus\)/),
      waitForRefusal(source(viaUrl, {}), /BUS_REDIS_TLS_CA \(spec\.redis\.tls\.caCert of the EventBus\)/),
    ]);
    for (const r of [t0, s0]) {
      expect(r.everReady).toBe(false);
      // Not something a retry can fix: the adapter stops at start with that reason.
      expect([r.exitedByItself, r.exitCode]).toEqual([true, 1]);
      expect(r.text).toMatch(/certificate/i);
    }
    expect(await groupState(redis.admin, streamKeyFor(topic), durableName('auth', name))).toBeUndefined();
    expect(await groupState(redis.admin, stream, group)).toEqual({ pending: 0, lastDeliveredId: '0-0' });
    expect(idsAtSink([...early.map((e) => e.id), ...entryIds])).toEqual([]);

    const ca = { BUS_REDIS_TLS_CA: pki.caCert };
    const t = trigger(viaEnable, ca);
    const s = source(viaUrl, ca);
    try {
      await Promise.all([waitReady(t), waitReady(s)]);
      const wanted = [...early.map((e) => e.id), ...entryIds];
      await waitFor('bus events at the sink', async () => (new Set(idsAtSink(wanted)).size >= wanted.length ? true : undefined), 30_000, {
        describe: async () => `${tail(t)}\n${tail(s)}`,
      });
      expect([...new Set(idsAtSink(wanted))].sort()).toEqual([...wanted].sort());
      const fromSource = sink.requests.find((r) => r.headers['ce-id'] === entryIds[1]);
      expect(fromSource?.event?.type).toBe('dev.knative.sources.redisstream');
      expect(fromSource?.event?.source).toBe(`/apis/v1/namespaces/auth/redisstreamsources/${name}#${stream}`);
      expect(JSON.parse(fromSource?.body.toString('utf8') ?? '{}')).toEqual({ seq: '1' });
      expect(sink.requests.find((r) => r.headers['ce-id'] === early[1]!.id)?.event?.data).toEqual({ i: 1 });
      await waitFor(
        'source entries and bus entries acked',
        async () => {
          const src = await groupState(redis.admin, stream, group);
          const onBus = await groupState(redis.admin, streamKeyFor(topic), durableName('auth', name));
          return src?.pending === 0 && src.lastDeliveredId === entryIds[2] && onBus?.pending === 0 && onBus.lastDeliveredId !== '0-0' ? true : undefined;
        },
        15_000,
      );
    } finally {
      await Promise.all([t.stop(), s.stop()]);
    }
    expect([await t.exited, await s.exited]).toEqual([0, 0]);
    expect(allOutput(t) + allOutput(s)).not.toContain(password);
  });
});
