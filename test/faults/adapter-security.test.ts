/**
 * Security at the adapter process: secret values handed in by secretKeyRef (REDIS_PASSWORD, KAFKA_SASL_*) never
 * reach its logs, even at debug level and when the server refuses them; an HTTPS sink is trusted through
 * K_CA_CERTS (a locally generated CA), a sink whose certificate another CA signed is refused, and what was refused
 * is kept, not lost: it arrives once the adapter trusts the right CA.
 * (The cron role's K_CA_CERTS test is test/integration/adapter/cron/standalone.test.ts; the sender's TLS options are
 * in test/integration/adapter/runtime/sink-delivery.test.ts.)
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, spawnAdapter, waitReady } from '../integration/adapter/noloss/harness.js';
import { testEnv, uniqueName } from '../support/env.js';
import { makeLocalCa } from '../support/local-ca.js';
import { startTestSink } from '../support/test-sink.js';
import { record } from './support/results.js';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(testEnv.redisUrl());
});
afterAll(() => {
  redis.disconnect();
});

/** Runs the adapter until `until` holds on its output (or 30 s), stops it, and returns everything it wrote. */
async function outputOf(role: string, env: Record<string, string>, until: (out: string) => boolean): Promise<string> {
  const a = await spawnAdapter(role, { LOG_LEVEL: 'debug', NAMESPACE: 'faults', NAME: 'secrets', ...env });
  await eventually(() => until(a.output.join('\n')) || a.child.exitCode !== null, 30_000);
  if (a.child.exitCode === null) await a.stop();
  await a.exited;
  return a.output.join('\n');
}

describe('adapter security', () => {
  it('secret values are not logged, even at debug level when the server refuses them', async () => {
    const t0 = performance.now();
    const redisPassword = `redispw-${randomBytes(12).toString('hex')}`;
    const saslUser = `user-${randomBytes(12).toString('hex')}`;
    const saslPassword = `pw-${randomBytes(12).toString('hex')}`;
    const stream = uniqueName('faults-secret');
    // The local Redis has no password: AUTH fails, and the failure is logged.
    const redisOut = await outputOf(
      'redisstream',
      { K_SINK: 'http://127.0.0.1:9/', REDIS_PASSWORD: redisPassword, K_SOURCE_CONFIG: JSON.stringify({ address: testEnv.redisUrl(), stream, password: { secretKeyRef: { name: 's', key: 'password' } } }) },
      (out) => /AUTH|auth|password/.test(out),
    );
    // The local broker speaks PLAINTEXT without SASL: the handshake fails, and the failure is logged.
    const kafkaOut = await outputOf(
      'kafka',
      {
        K_SINK: 'http://127.0.0.1:9/',
        KAFKA_SASL_USER: saslUser,
        KAFKA_SASL_PASSWORD: saslPassword,
        K_SOURCE_CONFIG: JSON.stringify({
          bootstrapServers: testEnv.kafkaBrokers(),
          topics: [uniqueName('faults-secret')],
          net: { sasl: { enable: true, type: 'SCRAM-SHA-512', user: { secretKeyRef: { name: 's', key: 'user' } }, password: { secretKeyRef: { name: 's', key: 'password' } } } },
        }),
      },
      (out) => /SASL|sasl|SCRAM|authentic/i.test(out) && /"level":"(error|warn)"/.test(out),
    );
    const hits = [redisPassword, saslUser, saslPassword].filter((v) => redisOut.includes(v) || kafkaOut.includes(v));
    const failureLogged = /AUTH|password/i.test(redisOut) && /SASL|SCRAM|authentic/i.test(kafkaOut);
    record('adapter-security', {
      area: 'Security',
      fault: 'adapters (redisstream, kafka) at LOG_LEVEL=debug with REDIS_PASSWORD / KAFKA_SASL_* the server refuses',
      measures: { logBytesSearched: redisOut.length + kafkaOut.length, hits: hits.length, refusalLogged: String(failureLogged) },
      expectation: 'the refusal is logged; no secret value appears in the output',
      passed: hits.length === 0 && failureLogged,
      seconds: (performance.now() - t0) / 1000,
    });
    if (!failureLogged) console.log(redisOut.slice(-2000), kafkaOut.slice(-2000));
    expect(failureLogged).toBe(true);
    expect(hits).toEqual([]);
  });

  it('HTTPS sink: the CA in K_CA_CERTS is trusted, another CA is refused, and refused events are kept until trusted', async () => {
    const t0 = performance.now();
    const ca = makeLocalCa('faults-right-ca');
    const wrong = makeLocalCa('faults-wrong-ca');
    const sink = await startTestSink({ tls: { key: ca.serverKey, cert: ca.serverCert } });
    const stream = uniqueName('faults-tls');
    const env = (caCerts: string) => ({
      K_SINK: sink.url,
      K_CA_CERTS: caCerts,
      K_DELIVERY: JSON.stringify({ retry: 1, backoffDelay: 'PT0.05S', timeout: 'PT2S' }),
      NAMESPACE: 'faults',
      NAME: stream,
      HOSTNAME: `${stream}-pod`,
      K_SOURCE_CONFIG: JSON.stringify({ address: testEnv.redisUrl(), stream }),
    });
    const ids: string[] = [];
    try {
      const refused = await spawnAdapter('redisstream', env(wrong.caCert));
      await waitReady(refused);
      // After the group exists (it starts at the stream's end, as a new source does).
      for (let i = 0; i < 5; i++) ids.push((await redis.xadd(stream, '*', 'seq', String(i))) as string);
      const certError = await eventually(() => refused.output.some((l) => /certificate|self.signed|unable to verify/i.test(l)), 30_000);
      const arrivedWithWrongCa = sink.requests.length;
      expect(await refused.stop()).toBe(0);
      const trusted = await spawnAdapter('redisstream', env(ca.caCert));
      await waitReady(trusted);
      const all = await eventually(() => ids.every((id) => sink.requests.some((r) => r.headers['ce-id'] === id)), 60_000);
      expect(await trusted.stop()).toBe(0);
      record('adapter-security', {
        area: 'Security',
        fault: 'HTTPS sink whose certificate a different local CA signed, then the right CA in K_CA_CERTS',
        measures: { sent: ids.length, arrivedWithWrongCa, certificateErrorLogged: String(certError), arrivedAfterTrust: ids.filter((id) => sink.requests.some((r) => r.headers['ce-id'] === id)).length },
        expectation: 'nothing reaches the sink over the untrusted connection; all 5 arrive once the right CA is given',
        passed: arrivedWithWrongCa === 0 && certError && all,
        seconds: (performance.now() - t0) / 1000,
      });
      expect(arrivedWithWrongCa).toBe(0);
      if (!certError) console.log(refused.output.slice(-20).join('\n'));
      expect(certError).toBe(true);
      expect(all).toBe(true);
    } finally {
      await sink.close();
      await redis.del(stream);
    }
  });
});
