/**
 * The Kafka EventBus against a private Kafka (KRaft, one node, started once for this file) whose listeners require
 * SASL (PLAIN, SCRAM-SHA-256/512), TLS with a locally made CA, or mutual TLS. The real adapter binary runs both
 * ends of the bus path as Deployments run them: a kafka source (reading its input on the test's PLAINTEXT
 * listener) publishes to the bus, a Trigger dispatcher consumes the bus and delivers to the test sink, each with
 * the bus secrets in BUS_KAFKA_SASL_USER, BUS_KAFKA_SASL_PASSWORD, BUS_KAFKA_TLS_CA, BUS_KAFKA_TLS_CERT and
 * BUS_KAFKA_TLS_KEY as the controller's secretKeyRefs put them there.
 * Refused (wrong password, missing secret, untrusted server certificate, no client certificate): never ready, a log
 * line names the BUS_* variable to fix, and no offset is committed (neither the source's input nor the Trigger's
 * bus group). Accepted: every event arrives with the documented attributes and both ends commit.
 * The controller's prober is checked against the same listeners: it answers without the Secrets.
 */
import { randomBytes } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../../../../adapter/bus/create.js';
import { groupIdFor, kafkaTopicFor } from '../../../../adapter/bus/kafka.js';
import { durableName } from '../../../../adapter/trigger/index.js';
import type { EventBusSpec } from '../../../../api/index.js';
import { networkBusProber } from '../../../../controller/reconciler/eventbus/prober.js';
import { createLogger } from '../../../../lib/log.js';
import { type AdapterProcess, startAdapter } from '../../../support/adapter-process.js';
import { allOutput, tail, waitForRefusal, waitReady } from '../../../support/auth/adapter-runs.js';
import { type AuthKafka, startAuthKafka } from '../../../support/auth/kafka.js';
import { makeTestPki, type TestPki } from '../../../support/auth/pki.js';
import { uniqueName } from '../../../support/env.js';
import { startTestSink, type TestSink } from '../../../support/test-sink.js';
import { waitFor } from '../../../support/wait-for.js';
import { kafkaCommittedOffset } from '../../../support/broker-state.js';

const user = { name: 'headwater', password: `kbpw-${randomBytes(12).toString('hex')}` };
let pki: TestPki;
let kafka: AuthKafka;
let admin: Admin;
let sink: TestSink;

beforeAll(async () => {
  pki = makeTestPki();
  kafka = await startAuthKafka(user, pki);
  admin = new Kafka({ clientId: 'bus-auth-test', brokers: [kafka.plainBroker], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  sink = await startTestSink();
});
afterAll(async () => {
  await admin?.disconnect();
  await sink?.close();
  await kafka?.stop();
});

type Net = Record<string, unknown>;
const sasl = (type: string): Net => ({ sasl: { enable: true, type } });
const tls: Net = { tls: { enable: true } };
const busOn = (broker: string, net: Net) => ({ backend: 'kafka', kafka: { bootstrapServers: [broker], net } });
const saslSecrets = { BUS_KAFKA_SASL_USER: user.name, BUS_KAFKA_SASL_PASSWORD: user.password };
const delivery = { retry: 1, backoffDelay: 'PT0.05S' };

/** A one-partition input topic holding `n` records, produced on the test's own PLAINTEXT listener. */
async function inputWithRecords(n: number): Promise<string> {
  const topic = uniqueName('bus-in');
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = new Kafka({ clientId: 'bus-auth-producer', brokers: [kafka.plainBroker], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ seq: i }) })) });
  } finally {
    await producer.disconnect();
  }
  return topic;
}

/** Events already on the bus topic (as an earlier source run would have left them), written on PLAINTEXT. */
async function busTopicWithEvents(busTopic: string, label: string, n: number): Promise<CloudEvent<unknown>[]> {
  const events = Array.from({ length: n }, (_, i) => new CloudEvent({ id: `${label}-early-${i}`, source: '/auth/bus-test', type: 'test.auth.early', data: { i } }));
  const direct = await createBus({ backend: 'kafka', kafka: { bootstrapServers: [kafka.plainBroker] } }, { logger: createLogger({}, { level: 'error' }) });
  try {
    for (const e of events) await direct.publish(busTopic, e);
  } finally {
    await direct.close();
  }
  return events;
}

const committed = (group: string, topic: string): Promise<string> => kafkaCommittedOffset(admin, group, topic);

function trigger(name: string, busTopic: string, bus: object, secrets: Record<string, string>): AdapterProcess {
  return startAdapter(['trigger'], {
    NAMESPACE: 'auth',
    NAME: name,
    HOSTNAME: `${name}-trigger`,
    // Debug level: the most the adapter ever logs, so a leaked secret would show.
    LOG_LEVEL: 'debug',
    K_TRIGGER_CONFIG: JSON.stringify({ bus, inputs: { a: { topic: busTopic } }, subscribers: [{ sinkUri: sink.url, delivery }] }),
    ...secrets,
  });
}

function source(name: string, input: string, busTopic: string, bus: object, secrets: Record<string, string>): AdapterProcess {
  return startAdapter(['kafka'], {
    NAMESPACE: 'auth',
    NAME: name,
    HOSTNAME: `${name}-source`,
    LOG_LEVEL: 'debug',
    K_EVENT_BUS_CONFIG: JSON.stringify({ ...bus, topic: busTopic }),
    K_SOURCE_CONFIG: JSON.stringify({ bootstrapServers: [kafka.plainBroker], topics: [input], consumerGroup: `g-${name}`, initialOffset: 'earliest' }),
    ...secrets,
  });
}

const sourceOf = (name: string, input: string) => `/apis/v1/namespaces/auth/kafkasources/${name}#${input}`;
const idsAtSink = (ids: string[]) => sink.requests.map((r) => String(r.event?.id)).filter((id) => ids.includes(id));

interface Pipeline {
  name: string;
  input: string;
  busTopic: string;
  n: number;
  early: CloudEvent<unknown>[];
}

async function pipeline(label: string, n: number): Promise<Pipeline> {
  const name = uniqueName(label);
  const busTopic = `auth-${name}`;
  const [input, early] = await Promise.all([inputWithRecords(n), busTopicWithEvents(busTopic, name, 2)]);
  return { name, input, busTopic, n, early };
}

/** Nothing taken: no event of the pipeline at the sink, no offset committed by the source or by the Trigger. */
async function expectNothingTaken(p: Pipeline): Promise<void> {
  const ids = [...p.early.map((e) => e.id), ...Array.from({ length: p.n }, (_, i) => `${p.input}-0-${i}`)];
  expect(idsAtSink(ids)).toEqual([]);
  expect(await committed(`g-${p.name}`, p.input)).toBe('-1');
  expect(await committed(groupIdFor(durableName('auth', p.name), p.busTopic), kafkaTopicFor(p.busTopic))).toBe('-1');
}

/** Source and Trigger ready; every event (the early ones and one per input record) at the sink; both committed. */
async function expectAllDelivered(p: Pipeline, t: AdapterProcess, s: AdapterProcess): Promise<void> {
  await Promise.all([waitReady(t), waitReady(s)]);
  const fromSource = Array.from({ length: p.n }, (_, i) => `${p.input}-0-${i}`);
  const wanted = [...p.early.map((e) => e.id), ...fromSource];
  await waitFor(`${p.name}: ${wanted.length} events at the sink`, async () => (new Set(idsAtSink(wanted)).size >= wanted.length ? true : undefined), 60_000, {
    describe: async () => `${tail(t)}\n${tail(s)}`,
  });
  expect([...new Set(idsAtSink(wanted))].sort()).toEqual([...wanted].sort());
  const one = sink.requests.find((r) => r.event?.id === `${p.input}-0-1`);
  expect(one?.event?.type).toBe('dev.knative.kafka.event');
  expect(one?.event?.source).toBe(sourceOf(p.name, p.input));
  expect(one?.event?.subject).toBe('partition:0#1');
  expect(JSON.parse(one?.body.toString('utf8') ?? '{}')).toEqual({ seq: 1 });
  const early = sink.requests.find((r) => r.event?.id === p.early[1]!.id);
  expect([early?.event?.type, early?.event?.data]).toEqual(['test.auth.early', { i: 1 }]);
  // Both ends committed: the source its input records, the Trigger every record of the bus topic.
  await waitFor(
    `${p.name}: source and trigger offsets committed`,
    async () =>
      (await committed(`g-${p.name}`, p.input)) === String(p.n) &&
      (await committed(groupIdFor(durableName('auth', p.name), p.busTopic), kafkaTopicFor(p.busTopic))) === String(p.n + p.early.length)
        ? true
        : undefined,
    20_000,
  );
}

describe('Kafka EventBus with SASL', () => {
  it('a wrong password or a missing secret is refused naming BUS_KAFKA_*; then SCRAM-SHA-512 publishes, PLAIN consumes, everything arrives', async () => {
    const p = await pipeline('kbus-sasl', 4);
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const wrongTrigger = trigger(p.name, p.busTopic, busOn(kafka.saslBroker, sasl('SCRAM-SHA-256')), { ...saslSecrets, BUS_KAFKA_SASL_PASSWORD: wrong });
    const noPassword = source(p.name, p.input, p.busTopic, busOn(kafka.saslBroker, sasl('SCRAM-SHA-512')), { BUS_KAFKA_SASL_USER: user.name });
    const [refused, unsetExit] = await Promise.all([
      waitForRefusal(wrongTrigger, /check BUS_KAFKA_SASL_USER, BUS_KAFKA_SASL_PASSWORD and spec\.kafka\.net\.sasl\.type/),
      noPassword.exited,
    ]);
    expect(refused.text).toMatch(/invalid credentials with SASL mechanism SCRAM-SHA-256/);
    expect(refused.everReady).toBe(false);
    // Neither is something a retry fixes: the adapter stops (a restart with the right Secret is the fix).
    expect([refused.exitedByItself, refused.exitCode]).toEqual([true, 1]);
    // The empty secret is a start-up ConfigError, written before the JSON logger exists (stderr).
    expect(unsetExit).toBe(1);
    expect(noPassword.stderr.join('\n')).toMatch(/BUS_KAFKA_SASL_PASSWORD: is empty, but SASL is on \(config\.kafka\.net\.sasl\.enable\)/);
    expect(noPassword.logs.some((l) => l.msg === 'ready')).toBe(false);
    expect(allOutput(wrongTrigger)).not.toContain(wrong);
    await expectNothingTaken(p);

    // The same source and Trigger (same groups), now with the secrets: nothing was lost by the refusals.
    const t = trigger(p.name, p.busTopic, busOn(kafka.saslBroker, sasl('PLAIN')), saslSecrets);
    const s = source(p.name, p.input, p.busTopic, busOn(kafka.saslBroker, sasl('SCRAM-SHA-512')), saslSecrets);
    try {
      await expectAllDelivered(p, t, s);
    } finally {
      await Promise.all([t.stop(), s.stop()]);
    }
    expect([await t.exited, await s.exited]).toEqual([0, 0]);
    expect(allOutput(t) + allOutput(s)).not.toContain(user.password);
  });
});

describe('Kafka EventBus with TLS', () => {
  it('an untrusted server certificate and a missing client certificate are refused naming BUS_KAFKA_TLS_*; with them, mutual TLS publishes, TLS consumes', async () => {
    const p = await pipeline('kbus-tls', 3);
    const client = { BUS_KAFKA_TLS_CERT: pki.client.cert, BUS_KAFKA_TLS_KEY: pki.client.key };
    // No CA: the system roots do not know the test CA.
    const untrusted = trigger(p.name, p.busTopic, busOn(kafka.tlsBroker, tls), {});
    // The mutual-TLS listener, trusting the server but showing no client certificate.
    const anonymous = source(p.name, p.input, p.busTopic, busOn(kafka.mtlsBroker, tls), { BUS_KAFKA_TLS_CA: pki.caCert });
    const [noCa, noCert] = await Promise.all([
      // kafkajs retries TLS failures: these do not exit by themselves soon, no need to wait for it.
      waitForRefusal(untrusted, /put the CA that signed it in BUS_KAFKA_TLS_CA \(spec\.kafka\.net\.tls\.caCert\)/, 30_000, 500),
      waitForRefusal(anonymous, /set BUS_KAFKA_TLS_CERT and BUS_KAFKA_TLS_KEY/, 30_000, 500),
    ]);
    expect(noCa.text).toMatch(/unable to verify|self.signed/);
    expect(noCert.text).toMatch(/bad certificate|certificate required/);
    expect([noCa.everReady, noCert.everReady]).toEqual([false, false]);
    await expectNothingTaken(p);

    const t = trigger(p.name, p.busTopic, busOn(kafka.tlsBroker, tls), { BUS_KAFKA_TLS_CA: pki.caCert });
    const s = source(p.name, p.input, p.busTopic, busOn(kafka.mtlsBroker, tls), { BUS_KAFKA_TLS_CA: pki.caCert, ...client });
    try {
      await expectAllDelivered(p, t, s);
    } finally {
      await Promise.all([t.stop(), s.stop()]);
    }
    expect([await t.exited, await s.exited]).toEqual([0, 0]);
    expect(allOutput(t) + allOutput(s)).not.toContain(pki.client.key.split('\n')[1]!);
  });
});

describe('the controller prober on the same listeners, without the Secrets', () => {
  const ref = { secretKeyRef: { name: 'kb', key: 'k' } };
  const spec = (broker: string, net?: Record<string, unknown>): EventBusSpec => ({ kafka: { bootstrapServers: [broker], ...(net ? { net } : {}) } }) as EventBusSpec;

  it('SASL and TLS listeners answer; a listener that wants a client certificate counts when the bus has one to show', async () => {
    const prober = networkBusProber(10_000);
    await expect(prober.probe(spec(kafka.saslBroker, { sasl: { enable: true, type: 'SCRAM-SHA-512', user: ref, password: ref } }))).resolves.toBeUndefined();
    await expect(prober.probe(spec(kafka.tlsBroker, { tls: { enable: true, caCert: ref } }))).resolves.toBeUndefined();
    await expect(prober.probe(spec(kafka.mtlsBroker, { tls: { enable: true, caCert: ref, cert: ref, key: ref } }))).resolves.toBeUndefined();
  });

  it('says what is wrong with the spec when it can tell', async () => {
    const prober = networkBusProber(5_000);
    await expect(prober.probe(spec(kafka.mtlsBroker, { tls: { enable: true, caCert: ref } }))).rejects.toThrow(
      /the broker wants a client certificate; set spec\.kafka\.net\.tls\.cert and spec\.kafka\.net\.tls\.key/,
    );
    await expect(prober.probe(spec(kafka.tlsBroker))).rejects.toThrow(/answered in TLS: the listener wants TLS \(set spec\.kafka\.net\.tls\.enable\)/);
    await expect(prober.probe(spec(kafka.plainBroker, { tls: { enable: true } }))).rejects.toThrow(/the listener does not speak TLS/);
  });
});
