import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../lib/errors.js';
import { parseKafkaRoleConfig } from '../../../../adapter/kafka/config.js';

const base = { namespace: 'ns', name: 'src', secrets: {} };

describe('parseKafkaRoleConfig', () => {
  it('applies the defaults', () => {
    const c = parseKafkaRoleConfig({ ...base, sourceConfig: { bootstrapServers: ['k:9092'], topics: ['t'] } });
    expect(c).toMatchObject({ groupId: 'headwater-kafkasource-ns-src', fromBeginning: false, ordering: 'ordered', security: {} });
  });

  it('reads SASL and TLS from the mounted secrets', () => {
    const c = parseKafkaRoleConfig({
      ...base,
      secrets: { KAFKA_SASL_USER: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_TLS_CA: 'CA' },
      sourceConfig: {
        bootstrapServers: ['k:9093'],
        topics: ['t'],
        initialOffset: 'earliest',
        ordering: 'unordered',
        consumerGroup: 'g',
        net: { sasl: { enable: true, type: 'SCRAM-SHA-512' }, tls: { enable: true } },
      },
    });
    expect(c.security).toEqual({ sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' }, tls: { ca: 'CA' } });
    expect(c).toMatchObject({ groupId: 'g', fromBeginning: true, ordering: 'unordered' });
  });

  it.each<[Record<string, unknown>, Record<string, string>, RegExp]>([
    [{ topics: ['t'] }, {}, /bootstrapServers must be a non-empty list/],
    [{ bootstrapServers: ['k'], topics: ['a b'] }, {}, /is not a Kafka topic name/],
    [{ bootstrapServers: ['k'], topics: ['t'], initialOffset: 'oldest' }, {}, /initialOffset "oldest"/],
    [{ bootstrapServers: ['k'], topics: ['t'], ordering: 'random' }, {}, /ordering "random"/],
    [{ bootstrapServers: ['k'], topics: ['t'], net: { sasl: { enable: true } } }, {}, /KAFKA_SASL_USER or KAFKA_SASL_PASSWORD is empty/],
    [{ bootstrapServers: ['k'], topics: ['t'], net: { sasl: { enable: true, type: 'GSSAPI' } } }, { KAFKA_SASL_USER: 'u', KAFKA_SASL_PASSWORD: 'p' }, /GSSAPI.*not supported/],
    [{ bootstrapServers: ['k'], topics: ['t'], net: { tls: { enable: true } } }, { KAFKA_TLS_CERT: 'c' }, /needs both KAFKA_TLS_CERT and KAFKA_TLS_KEY/],
  ])('rejects %j', (sourceConfig, secrets, message) => {
    expect(() => parseKafkaRoleConfig({ ...base, secrets, sourceConfig })).toThrow(ConfigError);
    expect(() => parseKafkaRoleConfig({ ...base, secrets, sourceConfig })).toThrow(message);
  });
});
