import { type Static, Type } from 'typebox';
import { ConditionsSchema } from '../duck/condition.js';
import { SecretValueFromSourceSchema } from '../duck/secret.js';
import { observedGenerationSchema } from '../duck/status.js';
import { kindSchema } from '../kind-schema.js';
import { StringEnum } from '../schema-helpers.js';
import { BootstrapServersSchema, kafkaNetSchema } from '../sources/kafkasource.js';
import { REDIS_ADDRESS, RedisTlsSchema } from '../sources/redisstreamsource.js';

export const EVENT_BUS_BACKENDS = ['nats', 'redis', 'kafka'] as const;
export type EventBusBackend = (typeof EVENT_BUS_BACKENDS)[number];

export const NatsBusSchema = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      maxLength: 2048,
      pattern: '^(nats|tls|ws|wss)://[^\\s]+$',
      description: 'NATS server URL, e.g. `nats://nats.nats:4222`.',
    }),
    stream: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: '^[A-Za-z0-9_-]+$',
        description: 'JetStream stream that holds the bus subjects; the controller picks one per bus when unset.',
      }),
    ),
    token: Type.Optional(SecretValueFromSourceSchema),
  },
  { description: 'NATS JetStream backend.' },
);

export const RedisBusSchema = Type.Object(
  {
    address: Type.String({
      minLength: 1,
      maxLength: 1024,
      pattern: REDIS_ADDRESS,
      description: 'Redis address: `host:port` or `redis://host:port[/db]` (`rediss://` for TLS).',
    }),
    password: Type.Optional(SecretValueFromSourceSchema),
    tls: Type.Optional(RedisTlsSchema),
  },
  { description: 'Redis Streams backend.' },
);

export const KafkaBusSchema = Type.Object(
  { bootstrapServers: BootstrapServersSchema, net: Type.Optional(kafkaNetSchema('spec.kafka.net')) },
  { description: 'Kafka backend.' },
);

export const EventBusSpecSchema = Type.Object(
  {
    nats: Type.Optional(NatsBusSchema),
    redis: Type.Optional(RedisBusSchema),
    kafka: Type.Optional(KafkaBusSchema),
  },
  {
    description:
      'Exactly one backend. Secrets of an EventBus are read from its namespace; those of a ClusterEventBus from the controller namespace (`headwater-system`).',
    'x-kubernetes-validations': [
      {
        rule: '[has(self.nats), has(self.redis), has(self.kafka)].filter(x, x).size() == 1',
        message: 'spec needs exactly one bus backend: nats, redis or kafka',
      },
    ],
  },
);
export type EventBusSpec = Static<typeof EventBusSpecSchema>;

export const EventBusStatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(observedGenerationSchema),
    conditions: Type.Optional(ConditionsSchema),
    backend: Type.Optional(StringEnum(EVENT_BUS_BACKENDS, { description: 'The backend in use.' })),
  },
  { description: 'Status of the bus.' },
);
export type EventBusStatus = Static<typeof EventBusStatusSchema>;

export const EventBusSchema = kindSchema(
  EventBusSpecSchema,
  EventBusStatusSchema,
  'EventBus is a namespaced event bus (NATS JetStream, Redis Streams or Kafka) that sources publish to and Triggers read from.',
);
export type EventBus = Static<typeof EventBusSchema>;

export const ClusterEventBusSchema = kindSchema(
  EventBusSpecSchema,
  EventBusStatusSchema,
  'ClusterEventBus is the cluster-wide fallback for an EventBus of the same name.',
);
export type ClusterEventBus = Static<typeof ClusterEventBusSchema>;
