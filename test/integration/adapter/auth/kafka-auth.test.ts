/**
 * The kafka source against a private Kafka (KRaft, one node, started once for this file) whose listeners require
 * authentication: SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), TLS with a locally made CA, and mutual TLS. The real
 * adapter binary runs with the secrets in its environment as the controller's secretKeyRefs put them there
 * (KAFKA_SASL_USER, KAFKA_SASL_PASSWORD, KAFKA_TLS_CA, KAFKA_TLS_CERT, KAFKA_TLS_KEY).
 * Refused (wrong password, an untrusted server certificate, no client certificate): never ready, a log line says
 * why, no offset is committed. Accepted: every record arrives with the documented attributes and is committed.
 * (test/faults/adapter-security.test.ts covers SASL against the shared broker, which has no SASL listener.)
 */
import { randomBytes } from 'node:crypto';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdapterProcess, startAdapter } from '../../../support/adapter-process.js';
import { allOutput, tail, waitForRefusal, waitReady } from '../../../support/auth/adapter-runs.js';
import { type AuthKafka, startAuthKafka } from '../../../support/auth/kafka.js';
import { makeTestPki, type TestPki } from '../../../support/auth/pki.js';
import { uniqueName } from '../../../support/env.js';
import { startTestSink, type TestSink } from '../../../support/test-sink.js';
import { waitFor } from '../../../support/wait-for.js';
import { kafkaCommittedOffset } from '../../../support/broker-state.js';

const user = { name: 'headwater', password: `kpw-${randomBytes(12).toString('hex')}` };
let pki: TestPki;
let kafka: AuthKafka;
let admin: Admin;
let sink: TestSink;

beforeAll(async () => {
  pki = makeTestPki();
  kafka = await startAuthKafka(user, pki);
  admin = new Kafka({ clientId: 'auth-test', brokers: [kafka.plainBroker], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  sink = await startTestSink();
});
afterAll(async () => {
  await admin?.disconnect();
  await sink?.close();
  await kafka?.stop();
});

/** A one-partition topic holding `n` records (produced on the test's own PLAINTEXT listener). */
async function topicWithRecords(n: number): Promise<string> {
  const topic = uniqueName('auth-kafka');
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = new Kafka({ clientId: 'auth-test-producer', brokers: [kafka.plainBroker], logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ seq: i }), headers: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` } })),
    });
  } finally {
    await producer.disconnect();
  }
  return topic;
}

const committed = (group: string, topic: string): Promise<string> => kafkaCommittedOffset(admin, group, topic);

type Net = Record<string, unknown>;
const ref = (key: string) => ({ secretKeyRef: { name: 'kafka', key } });
const sasl = (type: string): Net => ({ sasl: { enable: true, type, user: ref('user'), password: ref('password') } });
const tls = (client: boolean): Net => ({ tls: { enable: true, caCert: ref('ca.crt'), ...(client ? { cert: ref('tls.crt'), key: ref('tls.key') } : {}) } });

interface Run {
  name: string;
  group: string;
  adapter: AdapterProcess;
}

/** `name` again: the same KafkaSource (and consumer group) as a refused run, now with the right secrets. */
function run(label: string, broker: string, topic: string, net: Net, secrets: Record<string, string>, name = uniqueName(`auth-${label}`)): Run {
  const group = `g-${name}`;
  const adapter = startAdapter(['kafka'], {
    K_SINK: sink.url,
    K_DELIVERY: JSON.stringify({ retry: 1, backoffDelay: 'PT0.05S' }),
    NAMESPACE: 'auth',
    NAME: name,
    HOSTNAME: `${name}-pod`,
    LOG_LEVEL: 'debug',
    K_SOURCE_CONFIG: JSON.stringify({ bootstrapServers: [broker], topics: [topic], consumerGroup: group, initialOffset: 'earliest', net }),
    ...secrets,
  });
  return { name, group, adapter };
}

function sourceOf(name: string, topic: string): string {
  return `/apis/v1/namespaces/auth/kafkasources/${name}#${topic}`;
}

function arrivedFor(name: string, topic: string): string[] {
  return sink.requests.filter((r) => r.event?.source === sourceOf(name, topic)).map((r) => String(r.event?.id));
}

/** Waits until every record of `topic` reached the sink for this source and its offset is committed. */
async function expectAllDelivered(r: Run, topic: string, n: number): Promise<void> {
  await waitReady(r.adapter);
  const expected = Array.from({ length: n }, (_, i) => `${topic}-0-${i}`);
  await waitFor(`${r.name}: ${n} records at the sink`, async () => (arrivedFor(r.name, topic).length >= n ? true : undefined), 45_000, {
    describe: async () => tail(r.adapter),
  });
  expect([...new Set(arrivedFor(r.name, topic))].sort()).toEqual(expected.sort());
  const one = sink.requests.find((q) => q.event?.source === sourceOf(r.name, topic) && q.event?.id === `${topic}-0-1`);
  expect(one?.event?.type).toBe('dev.knative.kafka.event');
  expect(one?.event?.subject).toBe('partition:0#1');
  expect(one?.headers['ce-key']).toBe('k1');
  expect(one?.headers.traceparent).toBe(`00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`);
  expect(JSON.parse(one?.body.toString('utf8') ?? '{}')).toEqual({ seq: 1 });
  await waitFor(`${r.name}: offset ${n} committed`, async () => ((await committed(r.group, topic)) === String(n) ? true : undefined), 15_000);
}

describe('kafka source with SASL', () => {
  it('a wrong password or a missing secret is refused with a reason and commits nothing; PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 deliver everything', async () => {
    const n = 5;
    const topic = await topicWithRecords(n);
    const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;
    const wrong = run('sasl-wrong', kafka.saslBroker, topic, sasl('SCRAM-SHA-512'), { KAFKA_SASL_USER: user.name, KAFKA_SASL_PASSWORD: wrongPassword });
    const missing = run('sasl-missing', kafka.saslBroker, topic, sasl('PLAIN'), { KAFKA_SASL_USER: user.name });
    const [refused, unset] = await Promise.all([
      waitForRefusal(wrong.adapter, /check KAFKA_SASL_USER, KAFKA_SASL_PASSWORD/),
      waitForRefusal(missing.adapter, /KAFKA_SASL_PASSWORD is empty/),
    ]);
    expect(refused.text).toMatch(/invalid credentials with SASL mechanism SCRAM-SHA-512/);
    // SASL refusals are final in kafkajs: the adapter stops with code 1 (a restart with the right Secret is the fix).
    expect([refused.exitedByItself, refused.exitCode]).toEqual([true, 1]);
    expect(refused.everReady).toBe(false);
    expect(unset.everReady).toBe(false);
    expect(unset.exitedByItself).toBe(true);
    expect(unset.exitCode).toBe(1);
    expect(allOutput(wrong.adapter)).not.toContain(wrongPassword);
    expect(arrivedFor(wrong.name, topic)).toEqual([]);
    expect(await committed(wrong.group, topic)).toBe('-1');

    const secrets = { KAFKA_SASL_USER: user.name, KAFKA_SASL_PASSWORD: user.password };
    // SCRAM-SHA-512 as the refused source, same group: what it could not read arrives now, nothing lost.
    const runs = [
      run('plain', kafka.saslBroker, topic, sasl('PLAIN'), secrets),
      run('scram-sha-256', kafka.saslBroker, topic, sasl('SCRAM-SHA-256'), secrets),
      run('scram-sha-512', kafka.saslBroker, topic, sasl('SCRAM-SHA-512'), secrets, wrong.name),
    ];
    try {
      await Promise.all(runs.map((r) => expectAllDelivered(r, topic, n)));
    } finally {
      await Promise.all(runs.map((r) => r.adapter.stop()));
    }
    expect(await Promise.all(runs.map((r) => r.adapter.exited))).toEqual([0, 0, 0]);
    for (const r of runs) expect(allOutput(r.adapter)).not.toContain(user.password);
  });
});

describe('kafka source with TLS', () => {
  it('an untrusted server certificate and a missing client certificate are refused and commit nothing; with the CA (and the client certificate) everything arrives', async () => {
    const n = 3;
    const topic = await topicWithRecords(n);
    const client = { KAFKA_TLS_CERT: pki.client.cert, KAFKA_TLS_KEY: pki.client.key };
    // No CA: the system roots do not know the test CA.
    const untrusted = run('tls-noca', kafka.tlsBroker, topic, { tls: { enable: true } }, {});
    // The mutual-TLS listener, trusting the server but showing no client certificate.
    const anonymous = run('mtls-nocert', kafka.mtlsBroker, topic, tls(false), { KAFKA_TLS_CA: pki.caCert });
    const [noCa, noCert] = await Promise.all([
      // kafkajs retries TLS failures: these do not exit by themselves, no need to wait for it.
      waitForRefusal(untrusted.adapter, /put the CA that signed it in KAFKA_TLS_CA/, 30_000, 500),
      waitForRefusal(anonymous.adapter, /set KAFKA_TLS_CERT and KAFKA_TLS_KEY/, 30_000, 500),
    ]);
    expect(noCa.text).toMatch(/unable to verify|self.signed/);
    expect(noCert.text).toMatch(/bad certificate|certificate required/);
    for (const [r, refusal] of [[untrusted, noCa], [anonymous, noCert]] as const) {
      expect(refusal.everReady).toBe(false);
      expect(arrivedFor(r.name, topic)).toEqual([]);
      expect(await committed(r.group, topic)).toBe('-1');
    }

    // The refused sources again (same groups), now trusting the CA and showing the client certificate.
    const runs = [
      run('tls', kafka.tlsBroker, topic, tls(false), { KAFKA_TLS_CA: pki.caCert }, untrusted.name),
      run('mtls', kafka.mtlsBroker, topic, tls(true), { KAFKA_TLS_CA: pki.caCert, ...client }, anonymous.name),
    ];
    try {
      await Promise.all(runs.map((r) => expectAllDelivered(r, topic, n)));
    } finally {
      await Promise.all(runs.map((r) => r.adapter.stop()));
    }
    expect(await Promise.all(runs.map((r) => r.adapter.exited))).toEqual([0, 0]);
    for (const r of runs) expect(allOutput(r.adapter)).not.toContain(pki.client.key.split('\n')[1]!);
  });
});
