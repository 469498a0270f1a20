/**
 * The redisstream source and the Redis EventBus against a private redis-server that requires a password (and, on a
 * second port, TLS with a locally made CA), run as a Deployment runs them: the real adapter binary, secrets in the
 * environment (REDIS_PASSWORD, REDIS_TLS_CA, BUS_REDIS_PASSWORD) as secretKeyRefs put them there.
 * Without the secret (or with a wrong one) the adapter never turns ready, says why, and takes nothing: the entries
 * stay unread in the group. With it, every entry arrives, with the documented attributes, and is acknowledged.
 * (test/faults/adapter-security.test.ts covers a password the shared, password-less Redis refuses.)
 */
import { randomBytes } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../../../../adapter/bus/create.js';
import { streamKeyFor } from '../../../../adapter/bus/redis.js';
import { durableName } from '../../../../adapter/trigger/index.js';
import { startAdapter } from '../../../support/adapter-process.js';
import { allOutput, tail, waitForRefusal, waitReady } from '../../../support/auth/adapter-runs.js';
import { makeTestPki, type TestPki } from '../../../support/auth/pki.js';
import { type AuthRedis, startAuthRedis } from '../../../support/auth/redis.js';
import { uniqueName } from '../../../support/env.js';
import { startTestSink, type TestSink } from '../../../support/test-sink.js';
import { waitFor } from '../../../support/wait-for.js';
import { redisGroupState } from '../../../support/broker-state.js';

const password = `rpw-${randomBytes(12).toString('hex')}`;
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

const delivery = JSON.stringify({ retry: 1, backoffDelay: 'PT0.05S' });

function sourceEnv(name: string, spec: Record<string, unknown>, secrets: Record<string, string>): Record<string, string> {
  return {
    K_SINK: sink.url,
    K_DELIVERY: delivery,
    NAMESPACE: 'auth',
    NAME: name,
    HOSTNAME: `${name}-pod`,
    // Debug level: the most the adapter ever logs, so a leaked secret would show.
    LOG_LEVEL: 'debug',
    K_SOURCE_CONFIG: JSON.stringify(spec),
    ...secrets,
  };
}

const groupState = redisGroupState;

/** A stream whose group exists (as after an earlier run of the source) and holds `n` entries not yet read. */
async function streamWithEntries(admin: Redis, stream: string, group: string, n: number): Promise<string[]> {
  await admin.call('XGROUP', ['CREATE', stream, group, '$', 'MKSTREAM']);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await admin.xadd(stream, '*', 'seq', String(i), 'who', 'auth-test')) as string);
  return ids;
}

/**
 * The ids of the sink requests that carry one of `ids`; with `stream`, only those from that stream (entry ids
 * made in the same millisecond repeat across streams, so an id alone does not say which stream it came from).
 */
function requestsFor(ids: string[], stream?: string): string[] {
  return sink.requests
    .filter((r) => stream === undefined || String(r.headers['ce-source']).endsWith(`#${stream}`))
    .map((r) => String(r.headers['ce-id']))
    .filter((id) => ids.includes(id));
}

describe('redisstream source with REDIS_PASSWORD', () => {
  it('without the password or with a wrong one: never ready, says why, reads nothing; with it: every entry arrives and is acked', async () => {
    const name = uniqueName('auth-rs');
    const stream = name;
    const group = `g-${name}`;
    const ids = await streamWithEntries(redis.admin, stream, group, 5);
    const spec = { address: redis.address, stream, group, password: { secretKeyRef: { name: 'redis', key: 'password' } } };
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;

    const withWrong = startAdapter(['redisstream'], sourceEnv(name, spec, { REDIS_PASSWORD: wrong }));
    const [missing, refused] = await Promise.all([
      waitForRefusal(startAdapter(['redisstream'], sourceEnv(name, spec, {})), /NOAUTH|Authentication required/i),
      waitForRefusal(withWrong, /WRONGPASS|invalid username-password/i),
    ]);
    for (const r of [missing, refused]) {
      expect(r.everReady).toBe(false);
      expect(r.exitedByItself).toBe(true);
      expect(r.exitCode).toBe(1);
    }
    expect(refused.text).toMatch(/REDIS_PASSWORD/);
    expect(allOutput(withWrong)).not.toContain(wrong);
    expect(requestsFor(ids)).toEqual([]);
    // Nothing was read, so nothing is pending or acknowledged: the group still stands before the first entry.
    expect(await groupState(redis.admin, stream, group)).toEqual({ pending: 0, lastDeliveredId: '0-0' });

    const a = startAdapter(['redisstream'], sourceEnv(name, spec, { REDIS_PASSWORD: password }));
    try {
      await waitReady(a);
      const got = await waitFor('all 5 entries at the sink', async () => (requestsFor(ids).length >= ids.length ? true : undefined), 30_000);
      expect(got).toBe(true);
      expect(requestsFor(ids).sort()).toEqual([...ids].sort());
      const first = sink.requests.find((r) => r.headers['ce-id'] === ids[0]);
      expect(first?.event?.type).toBe('dev.knative.sources.redisstream');
      expect(first?.event?.source).toBe(`/apis/v1/namespaces/auth/redisstreamsources/${name}#${stream}`);
      expect(JSON.parse(first?.body.toString('utf8') ?? '{}')).toEqual({ seq: '0', who: 'auth-test' });
      const acked = await waitFor(
        'every entry acknowledged',
        async () => {
          const s = await groupState(redis.admin, stream, group);
          return s?.pending === 0 && s.lastDeliveredId === ids[ids.length - 1] ? s : undefined;
        },
        15_000,
      );
      expect(acked.pending).toBe(0);
    } finally {
      await a.stop();
    }
    expect(await a.exited).toBe(0);
    expect(allOutput(a)).not.toContain(password);
  });
});

describe('redisstream source over TLS (REDIS_TLS_CA)', () => {
  it('a server certificate from an unknown CA is refused; with the CA in REDIS_TLS_CA entries arrive (tls.enable and rediss://)', async () => {
    const tlsAddress = redis.tlsAddress!;
    const name = uniqueName('auth-rs-tls');
    const group = `g-${name}`;
    const streams = { untrusted: `${name}-a`, enabled: `${name}-b`, url: `${name}-c` };
    const idsOf: Record<string, string[]> = {};
    for (const [k, s] of Object.entries(streams)) idsOf[k] = await streamWithEntries(redis.admin, s, group, 3);
    const secretRef = { secretKeyRef: { name: 'redis', key: 'ca.crt' } };

    // TLS on, no CA given: the system roots do not know the test CA.
    const untrusted = startAdapter(
      ['redisstream'],
      sourceEnv(`${name}-a`, { address: tlsAddress, stream: streams.untrusted, group, tls: { enable: true } }, { REDIS_PASSWORD: password }),
    );
    // The two ways to ask for TLS: `tls.enable` with host:port, and a rediss:// address (with tls.caCert only).
    const enabled = startAdapter(
      ['redisstream'],
      sourceEnv(`${name}-b`, { address: tlsAddress, stream: streams.enabled, group, tls: { enable: true, caCert: secretRef } }, {
        REDIS_PASSWORD: password,
        REDIS_TLS_CA: pki.caCert,
      }),
    );
    const url = startAdapter(
      ['redisstream'],
      sourceEnv(`${name}-c`, { address: `rediss://${tlsAddress}`, stream: streams.url, group, tls: { caCert: secretRef } }, {
        REDIS_PASSWORD: password,
        REDIS_TLS_CA: pki.caCert,
      }),
    );
    try {
      const refusal = await waitForRefusal(untrusted, /certificate|self.signed|unable to verify/i, 20_000);
      expect(refusal.everReady).toBe(false);
      expect(refusal.text).toMatch(/REDIS_TLS_CA/);
      // Not something a retry can fix: the adapter stops at start with that reason.
      expect([refusal.exitedByItself, refusal.exitCode]).toEqual([true, 1]);
      expect(requestsFor(idsOf.untrusted!, streams.untrusted)).toEqual([]);
      expect(await groupState(redis.admin, streams.untrusted, group)).toEqual({ pending: 0, lastDeliveredId: '0-0' });

      for (const [k, a] of [['enabled', enabled], ['url', url]] as const) {
        await waitReady(a).catch((err: unknown) => {
          throw new Error(`${k}: ${err instanceof Error ? err.message : String(err)}`);
        });
      }
      const wanted = [...idsOf.enabled!, ...idsOf.url!];
      const arrived = (): string[] => [...requestsFor(idsOf.enabled!, streams.enabled), ...requestsFor(idsOf.url!, streams.url)];
      await waitFor('the TLS entries at the sink', async () => (arrived().length >= wanted.length ? true : undefined), 30_000, {
        describe: async () => `${tail(enabled)}\n${tail(url)}`,
      });
      expect(arrived().sort()).toEqual([...wanted].sort());
      for (const k of ['enabled', 'url'] as const) {
        const s = streams[k];
        await waitFor(`${k} acked`, async () => ((await groupState(redis.admin, s, group))?.pending === 0 ? true : undefined), 15_000);
      }
    } finally {
      await untrusted.stop();
    }
    // Stopped cleanly (a failure above is reported first, not masked by these).
    expect([await enabled.stop(), await url.stop()]).toEqual([0, 0]);
  });
});

describe('Redis EventBus with BUS_REDIS_PASSWORD', () => {
  it('source → bus → trigger: refused without the password (nothing taken from the bus), then every event arrives', async () => {
    const name = uniqueName('auth-rbus');
    const stream = name;
    const group = `g-${name}`;
    const topic = `auth-${name}`;
    const bus = { backend: 'redis', redis: { address: redis.address, password: { secretKeyRef: { name: 'bus', key: 'password' } } } };
    // Events already on the bus, published by an authenticated client (as an earlier source run would have).
    const direct = await createBus({ backend: 'redis', redis: { address: redis.address, password } });
    const early = Array.from({ length: 3 }, (_, i) => new CloudEvent({ id: `${name}-early-${i}`, source: '/auth/test', type: 'test.auth.early', data: { i } }));
    try {
      for (const e of early) await direct.publish(topic, e);
    } finally {
      await direct.close();
    }
    const triggerEnv = (secrets: Record<string, string>): Record<string, string> => ({
      NAMESPACE: 'auth',
      NAME: name,
      HOSTNAME: `${name}-trigger`,
      LOG_LEVEL: 'debug',
      K_TRIGGER_CONFIG: JSON.stringify({ bus, inputs: { a: { topic } }, subscribers: [{ sinkUri: sink.url, delivery: { retry: 1, backoffDelay: 'PT0.05S' } }] }),
      ...secrets,
    });
    const sourceOnBus = (secrets: Record<string, string>): Record<string, string> => ({
      NAMESPACE: 'auth',
      NAME: name,
      HOSTNAME: `${name}-source`,
      LOG_LEVEL: 'debug',
      K_EVENT_BUS_CONFIG: JSON.stringify({ ...bus, topic }),
      K_SOURCE_CONFIG: JSON.stringify({ address: redis.address, stream, group }),
      REDIS_PASSWORD: password,
      ...secrets,
    });
    const entryIds = await streamWithEntries(redis.admin, stream, group, 3);

    const [trigger, source] = await Promise.all([
      waitForRefusal(startAdapter(['trigger'], triggerEnv({})), /cannot reach the redis event bus/),
      waitForRefusal(startAdapter(['redisstream'], sourceOnBus({})), /cannot reach the redis event bus/),
    ]);
    for (const r of [trigger, source]) {
      expect(r.everReady).toBe(false);
      expect([r.exitedByItself, r.exitCode]).toEqual([true, 1]);
      expect(r.text).toMatch(/NOAUTH Authentication required.*Check the EventBus address and credentials/);
    }
    // The trigger never created its durable group on the topic; the source never read its entries.
    const busGroups = (await redis.admin.call('XINFO', ['GROUPS', streamKeyFor(topic)])) as unknown[];
    expect(busGroups).toEqual([]);
    expect(await groupState(redis.admin, stream, group)).toEqual({ pending: 0, lastDeliveredId: '0-0' });

    const t = startAdapter(['trigger'], triggerEnv({ BUS_REDIS_PASSWORD: password }));
    const s = startAdapter(['redisstream'], sourceOnBus({ BUS_REDIS_PASSWORD: password }));
    try {
      await Promise.all([waitReady(t), waitReady(s)]);
      const wanted = [...early.map((e) => e.id), ...entryIds];
      await waitFor('bus events at the sink', async () => (requestsFor(wanted).length >= wanted.length ? true : undefined), 30_000, {
        describe: async () => `${tail(t)}\n${tail(s)}`,
      });
      expect(requestsFor(wanted).sort()).toEqual([...wanted].sort());
      const fromSource = sink.requests.find((r) => r.headers['ce-id'] === entryIds[0]);
      expect(fromSource?.event?.source).toBe(`/apis/v1/namespaces/auth/redisstreamsources/${name}#${stream}`);
      expect(sink.requests.find((r) => r.headers['ce-id'] === early[1]!.id)?.event?.data).toEqual({ i: 1 });
      // Acknowledged on both ends: the source's entries and the trigger's bus entries.
      await waitFor(
        'source entries and bus entries acked',
        async () => {
          const src = await groupState(redis.admin, stream, group);
          const onBus = await groupState(redis.admin, streamKeyFor(topic), durableName('auth', name));
          return src?.pending === 0 && onBus?.pending === 0 && onBus.lastDeliveredId !== '0-0' ? true : undefined;
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
