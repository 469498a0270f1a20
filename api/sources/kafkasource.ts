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

export const KafkaSaslSchema = Type.Object(
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
        message: 'spec.net.sasl.enable=true needs spec.net.sasl.user and spec.net.sasl.password (secretKeyRefs)',
      },
    ],
  },
);

export const KafkaTlsSchema = Type.Object(
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
        message: 'spec.net.tls.cert and spec.net.tls.key go together: set both (client certificate) or neither',
      },
    ],
  },
);

export const KafkaNetSchema = Type.Object(
  { sasl: Type.Optional(KafkaSaslSchema), tls: Type.Optional(KafkaTlsSchema) },
  { description: 'How to reach the brokers: SASL and TLS.' },
);

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
