import { type Static, Type } from 'typebox';
import { SecretValueFromSourceSchema } from '../duck/secret.js';
import { sourceSpecProperties, sourceSpecRules } from '../duck/source-spec.js';
import { SourceStatusSchema } from '../duck/status.js';
import { kindSchema } from '../kind-schema.js';

import { REDIS_STREAM_EVENT_TYPE } from '../event-types.js';

export { REDIS_STREAM_EVENT_TYPE };

/** `host:port`, or a `redis://` / `rediss://` URL (optionally with a database number). */
export const REDIS_ADDRESS = '^(rediss?://)?[^\\s/@]+(:[0-9]{1,5})?(/[0-9]{1,2})?$';

export const RedisTlsSchema = Type.Object(
  {
    enable: Type.Optional(Type.Boolean({ default: false, description: 'Connect over TLS.' })),
    caCert: Type.Optional(SecretValueFromSourceSchema),
  },
  { description: 'TLS to Redis; the CA comes from a Secret.' },
);

export const RedisStreamSourceSpecSchema = Type.Object(
  {
    ...sourceSpecProperties,
    address: Type.String({
      minLength: 1,
      maxLength: 1024,
      pattern: REDIS_ADDRESS,
      description: 'Redis address: `host:port` or `redis://host:port[/db]` (`rediss://` for TLS).',
    }),
    stream: Type.String({ minLength: 1, maxLength: 1024, description: 'Name of the Redis stream to read.' }),
    group: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        description:
          'Consumer group. When unset the controller uses `headwater-<metadata.uid>`: stable for the life of the source, so pending entries survive restarts and updates.',
      }),
    ),
    consumers: Type.Optional(
      Type.Integer({
        format: 'int32',
        minimum: 1,
        maximum: 100,
        default: 1,
        description: 'Number of consumers in the group.',
      }),
    ),
    password: Type.Optional(SecretValueFromSourceSchema),
    tls: Type.Optional(RedisTlsSchema),
  },
  { description: 'Reads a Redis stream with a consumer group.', 'x-kubernetes-validations': [...sourceSpecRules] },
);
export type RedisStreamSourceSpec = Static<typeof RedisStreamSourceSpecSchema>;

export const RedisStreamSourceSchema = kindSchema(
  RedisStreamSourceSpecSchema,
  SourceStatusSchema,
  'RedisStreamSource sends the entries of a Redis stream as events.',
);
export type RedisStreamSource = Static<typeof RedisStreamSourceSchema>;
