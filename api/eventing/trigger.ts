import { type Static, Type } from 'typebox';
import { DeliverySpecSchema } from '../duck/delivery.js';
import { DestinationSchema } from '../duck/destination.js';
import { StatusSchema } from '../duck/status.js';
import { kindSchema } from '../kind-schema.js';
import { NamespaceName, ObjectMap, ObjectName, StringEnum } from '../schema-helpers.js';
import { FilterSchema } from './filter.js';

/** Input names are CEL identifiers, because subscriber conditions refer to them (`a && (b || c)`). */
export const TRIGGER_INPUT_NAME = '^[a-zA-Z_][a-zA-Z0-9_]{0,62}$';

export const TRIGGER_SOURCE_KINDS = ['CronSource', 'KafkaSource', 'RedisStreamSource'] as const;

export const TriggerInputSchema = Type.Object(
  {
    eventSource: Type.Object(
      {
        kind: StringEnum(TRIGGER_SOURCE_KINDS, { description: 'Kind of the source publishing to the bus.' }),
        name: ObjectName({ description: 'Name of the source.' }),
        namespace: Type.Optional(NamespaceName({ description: "Namespace of the source; the Trigger's when unset." })),
      },
      { description: 'The source whose bus topic this input reads.' },
    ),
    event: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 253,
        pattern: '^[a-zA-Z0-9._-]+$',
        description: 'Named output of the source, for sources that publish several (topic suffix `-{event}`).',
      }),
    ),
  },
  { description: 'One input of the Trigger.' },
);
export type TriggerInput = Static<typeof TriggerInputSchema>;

export const SubscriberSchema = Type.Object(
  {
    condition: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description:
          'CEL expression over the input names (`a && (b || c)`): the subscriber gets an event when it is true. Unset: any input.',
      }),
    ),
    sink: Type.Optional(DestinationSchema),
    topic: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 249,
        pattern: '^[a-zA-Z0-9._-]+$',
        description: 'Bus topic to publish matching events to, instead of a sink.',
      }),
    ),
    deadLetterSink: Type.Optional(DestinationSchema),
    delivery: Type.Optional({ ...DeliverySpecSchema, default: {} } as typeof DeliverySpecSchema),
  },
  {
    description: 'Where matching events go: a sink or a bus topic.',
    'x-kubernetes-validations': [
      { rule: 'has(self.sink) != has(self.topic)', message: 'a subscriber needs exactly one of sink or topic' },
    ],
  },
);
export type Subscriber = Static<typeof SubscriberSchema>;

export const TriggerSpecSchema = Type.Object(
  {
    eventBus: ObjectName({ description: 'Name of the EventBus (else ClusterEventBus) to read from.' }),
    inputs: ObjectMap(TriggerInputSchema, {
      minProperties: 1,
      maxProperties: 16,
      description: 'Named inputs; subscriber conditions refer to these names.',
      'x-kubernetes-validations': [
        {
          rule: `self.all(k, k.matches('${TRIGGER_INPUT_NAME}'))`,
          message: 'input names must be identifiers (^[a-zA-Z_][a-zA-Z0-9_]{0,62}$) so conditions can refer to them',
        },
      ],
    }),
    filters: Type.Optional(
      Type.Array(FilterSchema, { maxItems: 16, description: 'CloudEvents attribute filters; all must match.' }),
    ),
    subscribers: Type.Array(SubscriberSchema, { minItems: 1, maxItems: 16, description: 'Who gets matching events.' }),
  },
  { description: 'Routes events from a bus to subscribers.' },
);
export type TriggerSpec = Static<typeof TriggerSpecSchema>;

export const TriggerSchema = kindSchema(TriggerSpecSchema, StatusSchema, 'Trigger routes events from an EventBus to subscribers.');
export type Trigger = Static<typeof TriggerSchema>;
