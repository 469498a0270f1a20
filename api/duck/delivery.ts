import { type Static, Type } from 'typebox';
import { Iso8601Duration, StringEnum } from '../schema-helpers.js';
import { DestinationSchema } from './destination.js';

/** The defaults match the `K_DELIVERY` example in docs/architecture.md, so the contract and the API agree. */
export const DELIVERY_DEFAULTS = {
  retry: 3,
  backoffPolicy: 'exponential',
  backoffDelay: 'PT0.2S',
  timeout: 'PT30S',
} as const;

export const DeliverySpecSchema = Type.Object(
  {
    retry: Type.Optional(
      Type.Integer({
        format: 'int32',
        minimum: 0,
        maximum: 100,
        default: DELIVERY_DEFAULTS.retry,
        description: 'How many times a failed delivery is retried before it goes to the dead-letter sink (0 = never).',
      }),
    ),
    backoffPolicy: Type.Optional(
      StringEnum(['linear', 'exponential'] as const, {
        default: DELIVERY_DEFAULTS.backoffPolicy,
        description: 'How the delay grows between retries: `linear` (delay × n) or `exponential` (delay × 2^(n-1)).',
      }),
    ),
    backoffDelay: Type.Optional(
      Iso8601Duration({
        default: DELIVERY_DEFAULTS.backoffDelay,
        description: 'Base delay between retries, an ISO-8601 duration (e.g. `PT0.2S`).',
      }),
    ),
    timeout: Type.Optional(
      Iso8601Duration({
        default: DELIVERY_DEFAULTS.timeout,
        description: 'Timeout of one delivery attempt, an ISO-8601 duration (e.g. `PT30S`).',
      }),
    ),
    deadLetterSink: Type.Optional(DestinationSchema),
  },
  { description: 'Knative DeliverySpec: retries, backoff and where events that cannot be delivered go.' },
);
export type DeliverySpec = Static<typeof DeliverySpecSchema>;
