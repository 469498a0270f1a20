import { type Static, Type } from 'typebox';
import { SecretValueFromSourceSchema } from '../duck/secret.js';
import { sourceSpecProperties, sourceSpecRules } from '../duck/source-spec.js';
import { SourceStatusSchema } from '../duck/status.js';
import { kindSchema } from '../kind-schema.js';
import { StringEnum } from '../schema-helpers.js';

import { KAFKA_EVENT_TYPE } from '../event-types.js';

export { KAFKA_EVENT_TYPE };

export const HOST_PORT = '^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?:[0-9]{1,5}$|^\\[[0-9A-Fa-f:.]+\\]:[0-9]{1,5}$';
export const KAFKA_TOPIC = '^[a-zA-Z0-9._-]+$';

export const BootstrapServersSchema = Type.Array(
  Type.String({ maxLength: 261, pattern: HOST_PORT, description: 'A broker as host:port.' }),
  { minItems: 1, maxItems: 64, description: 'Kafka brokers to bootstrap from, each `host:port`.' },
);

/**
 * SASL, TLS and their container `net`, for any object that connects to Kafka (the KafkaSource at `spec.net`, the
 * Kafka EventBus at `spec.kafka.net`). `at` is where `net` sits, so a CEL message names the field the user wrote.
 */
export function kafkaSaslSchema(at: string) {
  return Type.Object(
    {
      enable: Type.Optional(Type.Boolean({ default: false, description: 'Authenticate with SASL.' })),
      type: Type.Optional(
        StringEnum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const, {
          default: 'PLAIN',
          description: 'SASL mechanism.',
        }),
      ),
      user: Type.Optional(SecretValueFromSourceSchema),
      password: Type.Optional(SecretValueFromSourceSchema),
    },
    {
      description: 'SASL authentication; credentials come from Secrets.',
      'x-kubernetes-validations': [
        {
          rule: '!has(self.enable) || !self.enable || (has(self.user) && has(self.password))',
          message: `${at}.sasl.enable=true needs ${at}.sasl.user and ${at}.sasl.password (secretKeyRefs)`,
        },
      ],
    },
  );
}

export function kafkaTlsSchema(at: string) {
  return Type.Object(
    {
      enable: Type.Optional(Type.Boolean({ default: false, description: 'Connect over TLS.' })),
      caCert: Type.Optional(SecretValueFromSourceSchema),
      cert: Type.Optional(SecretValueFromSourceSchema),
      key: Type.Optional(SecretValueFromSourceSchema),
    },
    {
      description: 'TLS to the brokers; CA and client certificate come from Secrets.',
      'x-kubernetes-validations': [
        {
          rule: 'has(self.cert) == has(self.key)',
          message: `${at}.tls.cert and ${at}.tls.key go together: set both (client certificate) or neither`,
        },
      ],
    },
  );
}

export function kafkaNetSchema(at: string) {
  return Type.Object(
    { sasl: Type.Optional(kafkaSaslSchema(at)), tls: Type.Optional(kafkaTlsSchema(at)) },
    { description: 'How to reach the brokers: SASL and TLS.' },
  );
}

export const KafkaSaslSchema = kafkaSaslSchema('spec.net');
export const KafkaTlsSchema = kafkaTlsSchema('spec.net');
export const KafkaNetSchema = kafkaNetSchema('spec.net');
export type KafkaNet = Static<typeof KafkaNetSchema>;

export const KafkaSourceSpecSchema = Type.Object(
  {
    ...sourceSpecProperties,
    bootstrapServers: BootstrapServersSchema,
    topics: Type.Array(
      Type.String({ minLength: 1, maxLength: 249, pattern: KAFKA_TOPIC, description: 'A Kafka topic name.' }),
      {
        minItems: 1,
        maxItems: 256,
        'x-kubernetes-list-type': 'set',
        description: 'Topics to consume.',
      },
    ),
    consumerGroup: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: KAFKA_TOPIC,
        description:
          'Kafka consumer group. When unset the controller uses `knative-kafka-source-<metadata.uid>` (as Knative does): stable for the life of the source, so committed offsets survive restarts and updates.',
      }),
    ),
    initialOffset: Type.Optional(
      StringEnum(['earliest', 'latest'] as const, {
        default: 'latest',
        description: 'Where a new consumer group starts: `earliest` or `latest`.',
      }),
    ),
    ordering: Type.Optional(
      StringEnum(['ordered', 'unordered'] as const, {
        default: 'ordered',
        description: '`ordered`: one event at a time per partition; `unordered`: concurrently.',
      }),
    ),
    consumers: Type.Optional(
      Type.Integer({
        format: 'int32',
        minimum: 1,
        maximum: 100,
        default: 1,
        description: 'Number of consumers (replicas of the receive adapter) in the group.',
      }),
    ),
    net: Type.Optional(KafkaNetSchema),
  },
  { description: 'Consumes Kafka topics.', 'x-kubernetes-validations': [...sourceSpecRules] },
);
export type KafkaSourceSpec = Static<typeof KafkaSourceSpecSchema>;

export const KafkaSourceSchema = kindSchema(KafkaSourceSpecSchema, SourceStatusSchema, 'KafkaSource sends Kafka records as events.');
export type KafkaSource = Static<typeof KafkaSourceSchema>;
