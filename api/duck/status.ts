import { type Static, Type } from 'typebox';
import { ConditionsSchema } from './condition.js';

export const observedGenerationSchema = Type.Integer({
  format: 'int64',
  minimum: 0,
  description: 'The generation of the spec the controller last acted on.',
});

/** Knative duck Status: what every Headwater object reports. */
export const StatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(observedGenerationSchema),
    conditions: Type.Optional(ConditionsSchema),
  },
  { description: 'Status reported by the controller.' },
);
export type Status = Static<typeof StatusSchema>;

export const CloudEventAttributesSchema = Type.Object(
  {
    type: Type.String({ maxLength: 1024, description: 'CloudEvents `type` of events the source emits.' }),
    source: Type.String({ maxLength: 2048, description: 'CloudEvents `source` of those events.' }),
  },
  { description: 'A type/source pair of events the source emits.' },
);
export type CloudEventAttributes = Static<typeof CloudEventAttributesSchema>;

/** Knative SourceStatus duck. */
export const SourceStatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(observedGenerationSchema),
    conditions: Type.Optional(ConditionsSchema),
    sinkUri: Type.Optional(Type.String({ maxLength: 2048, description: 'The resolved URI of the sink.' })),
    sinkCACerts: Type.Optional(Type.String({ maxLength: 65536, description: 'CA certificates of the resolved sink.' })),
    sinkAudience: Type.Optional(Type.String({ maxLength: 1024, description: 'OIDC audience of the resolved sink.' })),
    ceAttributes: Type.Optional(
      Type.Array(CloudEventAttributesSchema, {
        maxItems: 64,
        description: 'The CloudEvents attributes of the events the source emits.',
      }),
    ),
  },
  { description: 'Knative SourceStatus: conditions, the resolved sink and what the source emits.' },
);
export type SourceStatus = Static<typeof SourceStatusSchema>;
