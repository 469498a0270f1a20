import { Type } from 'typebox';
import { type CelRule, ObjectName } from '../schema-helpers.js';
import { CloudEventOverridesSchema } from './ce-overrides.js';
import { DeliverySpecSchema } from './delivery.js';
import { DestinationSchema } from './destination.js';

/**
 * The Knative SourceSpec duck plus Headwater's `eventBus` alternative. Spread into each source's spec so
 * the kind-specific fields sit beside them (as in Knative's PingSource).
 */
export const sourceSpecProperties = {
  sink: Type.Optional(DestinationSchema),
  eventBus: Type.Optional(
    ObjectName({
      description:
        'Name of an EventBus in the namespace (else the ClusterEventBus of that name) to publish to, instead of `sink`.',
    }),
  ),
  ceOverrides: Type.Optional(CloudEventOverridesSchema),
  delivery: Type.Optional({ ...DeliverySpecSchema, default: {} } as typeof DeliverySpecSchema),
};

export const sourceSpecRules: CelRule[] = [
  {
    rule: 'has(self.sink) != has(self.eventBus)',
    message: 'exactly one of spec.sink or spec.eventBus must be set',
    // Reported at spec.sink (the usual fix) rather than at spec, so the error names a field.
    fieldPath: '.sink',
  },
];
