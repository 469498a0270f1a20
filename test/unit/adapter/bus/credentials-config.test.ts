/**
 * The bus config's credentials and TLS: switches and mechanism from the JSON, secrets from the BUS_* variables,
 * and a bad value stops the adapter with an error that names the variable (or field) and the fix.
 */
import { describe, expect, it } from 'vitest';
import { parseBusConfig, parseBusTopicConfig } from '../../../../adapter/bus/config.js';
import { kafkaBusSecretNames } from '../../../../adapter/bus/kafka.js';
import { kafkaSecurityHint } from '../../../../adapter/kafka/client.js';
import { describeRedisFailure, redisBusSecretNames } from '../../../../adapter/redisstream/connection.js';
import { parseTriggerConfig } from '../../../../adapter/trigger/config.js';
import { ConfigError } from '../../../../lib/errors.js';

const kafka = (net: unknown) => ({ backend: 'kafka', kafka: { bootstrapServers: ['k:9093'], net } });
const secrets = {
  BUS_KAFKA_SASL_USER: 'u',
  BUS_KAFKA_SASL_PASSWORD: 'p',
  BUS_KAFKA_TLS_CA: 'CA PEM',
  BUS_KAFKA_TLS_CERT: 'CERT PEM',
  BUS_KAFKA_TLS_KEY: 'KEY PEM',
};

describe('Kafka bus net', () => {
  it.each([
    ['SASL SCRAM-SHA-512 and mutual TLS', { sasl: { enable: true, type: 'SCRAM-SHA-512' }, tls: { enable: true } }, secrets, {
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
      tls: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' },
    }],
    ['SASL with the default mechanism', { sasl: { enable: true } }, secrets, { sasl: { mechanism: 'plain', username: 'u', password: 'p' } }],
    ['TLS with the system roots', { tls: { enable: true } }, {}, { tls: {} }],
    ['TLS with a CA only', { tls: { enable: true } }, { BUS_KAFKA_TLS_CA: 'CA PEM' }, { tls: { ca: 'CA PEM' } }],
  ] as const)('%s', (_label, net, env, security) => {
    expect(parseBusConfig(kafka(net), 'V', env)).toEqual({ backend: 'kafka', kafka: { bootstrapServers: ['k:9093'], security } });
  });

  it('switched off (or absent): no security, whatever secrets are in the environment', () => {
    for (const net of [undefined, {}, { sasl: { enable: false, type: 'PLAIN' }, tls: { enable: false } }]) {
      expect(parseBusConfig(kafka(net), 'V', secrets)).toEqual({ backend: 'kafka', kafka: { bootstrapServers: ['k:9093'] } });
    }
  });

  it.each<[string, unknown, Record<string, string>, RegExp]>([
    ['no user', { sasl: { enable: true } }, { BUS_KAFKA_SASL_PASSWORD: 'p' }, /^BUS_KAFKA_SASL_USER: is empty, but SASL is on \(config\.kafka\.net\.sasl\.enable\)\. Check the Secret key that the EventBus's spec\.kafka\.net\.sasl\.user refers to\.$/],
    ['no password', { sasl: { enable: true } }, { BUS_KAFKA_SASL_USER: 'u' }, /^BUS_KAFKA_SASL_PASSWORD: is empty.*spec\.kafka\.net\.sasl\.password refers to/],
    ['a cert without a key', { tls: { enable: true } }, { BUS_KAFKA_TLS_CERT: 'C' }, /^BUS_KAFKA_TLS_KEY: is empty, but a client certificate needs both.*spec\.kafka\.net\.tls\.key/],
    ['a key without a cert', { tls: { enable: true } }, { BUS_KAFKA_TLS_KEY: 'K' }, /^BUS_KAFKA_TLS_CERT: is empty.*spec\.kafka\.net\.tls\.cert/],
    ['an unknown mechanism', { sasl: { enable: true, type: 'GSSAPI' } }, secrets, /^V: config\.kafka\.net\.sasl\.type "GSSAPI" is not supported\. Use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512\.$/],
    ['a switch that is not a boolean', { tls: { enable: 'yes' } }, secrets, /^V: config\.kafka\.net\.tls\.enable must be true or false, got "yes"/],
    ['net not an object', 'sasl', secrets, /^V: config\.kafka\.net must be an object/],
  ])('%s is refused, naming what to fix', (_label, net, env, message) => {
    const parse = () => parseBusConfig(kafka(net), 'V', env);
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(message);
  });

  it('reaches the Trigger config and K_EVENT_BUS_CONFIG alike', () => {
    const raw = { bus: kafka({ sasl: { enable: true, type: 'SCRAM-SHA-256' } }), inputs: { a: { topic: 'ns-src' } }, subscribers: [{ sinkUri: 'http://s' }] };
    expect(parseTriggerConfig(raw, secrets).bus.kafka?.security?.sasl).toEqual({ mechanism: 'scram-sha-256', username: 'u', password: 'p' });
    expect(() => parseTriggerConfig(raw, {})).toThrow(/^BUS_KAFKA_SASL_USER: is empty/);
    const topicCfg = parseBusTopicConfig({ ...kafka({ tls: { enable: true } }), topic: 'ns-src' }, 'K_EVENT_BUS_CONFIG', { BUS_KAFKA_TLS_CA: 'CA PEM' });
    expect(topicCfg.kafka?.security).toEqual({ tls: { ca: 'CA PEM' } });
  });

  it('refusal hints name the BUS_KAFKA_* variables and spec.kafka.net', () => {
    expect(kafkaSecurityHint('connect: unable to verify the first certificate', kafkaBusSecretNames)).toBe(
      "the broker's TLS certificate is not trusted: put the CA that signed it in BUS_KAFKA_TLS_CA (spec.kafka.net.tls.caCert)",
    );
    expect(kafkaSecurityHint('tlsv13 alert certificate required', kafkaBusSecretNames)).toMatch(/set BUS_KAFKA_TLS_CERT and BUS_KAFKA_TLS_KEY \(spec\.kafka\.net\.tls\.cert/);
    expect(kafkaSecurityHint('SASL SCRAM-SHA-512 authentication failed: invalid credentials', kafkaBusSecretNames)).toBe(
      'the broker refused the SASL login: check BUS_KAFKA_SASL_USER, BUS_KAFKA_SASL_PASSWORD and spec.kafka.net.sasl.type',
    );
    // The KafkaSource's own hints are unchanged.
    expect(kafkaSecurityHint('unable to verify the first certificate')).toMatch(/KAFKA_TLS_CA \(spec\.net\.tls\.caCert\)/);
  });
});

describe('Redis bus TLS', () => {
  it.each([
    ['tls.enable with host:port', { address: 'r:6380', tls: { enable: true } }, { address: 'r:6380', tls: true, tlsCa: 'CA PEM' }],
    ['a rediss:// address', { address: 'rediss://r:6380' }, { address: 'rediss://r:6380', tls: true, tlsCa: 'CA PEM' }],
    ['neither: the CA is not used', { address: 'r:6379', tls: { enable: false } }, { address: 'r:6379' }],
  ] as const)('%s', (_label, redis, expected) => {
    expect(parseBusConfig({ backend: 'redis', redis }, 'V', { BUS_REDIS_TLS_CA: 'CA PEM' })).toEqual({ backend: 'redis', redis: expected });
  });

  it('refuses a tls that is not an object or a switch that is not a boolean', () => {
    expect(() => parseBusConfig({ backend: 'redis', redis: { address: 'r:6380', tls: true } }, 'V', {})).toThrow(/^V: config\.redis\.tls must be an object/);
    expect(() => parseBusConfig({ backend: 'redis', redis: { address: 'r:6380', tls: { enable: 1 } } }, 'V', {})).toThrow(/config\.redis\.tls\.enable must be true or false/);
  });

  it('an untrusted server certificate names BUS_REDIS_TLS_CA for the bus', () => {
    const err = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expect(describeRedisFailure(err, redisBusSecretNames)).toEqual({
      fatal: true,
      fix: "the server's TLS certificate is not trusted: put the CA that signed it in BUS_REDIS_TLS_CA (spec.redis.tls.caCert of the EventBus), and check the address names the server",
    });
    expect(describeRedisFailure(new Error('WRONGPASS invalid username-password pair'), redisBusSecretNames).fix).toMatch(/behind BUS_REDIS_PASSWORD$/);
  });
});
