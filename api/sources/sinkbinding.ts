import { type Static, Type } from 'typebox';
import { CloudEventOverridesSchema } from '../duck/ce-overrides.js';
import { DestinationSchema } from '../duck/destination.js';
import { LabelSelectorSchema } from '../duck/label-selector.js';
import { SourceStatusSchema } from '../duck/status.js';
import { kindSchema } from '../kind-schema.js';
import { NamespaceName, ObjectName } from '../schema-helpers.js';

export const SinkBindingSubjectSchema = Type.Object(
  {
    apiVersion: Type.String({ minLength: 1, maxLength: 317, description: 'API version of the subject, e.g. `apps/v1`.' }),
    kind: Type.String({ minLength: 1, maxLength: 63, description: 'Kind of the subject, e.g. `Deployment`.' }),
    namespace: Type.Optional(
      NamespaceName({ description: "Namespace of the subject; must be the binding's own namespace when set." }),
    ),
    name: Type.Optional(ObjectName({ description: 'Name of the subject. Exactly one of `name` and `selector`.' })),
    selector: Type.Optional(LabelSelectorSchema),
  },
  {
    description: 'The PodSpecable objects to bind: one by name, or all matching a label selector.',
    'x-kubernetes-validations': [
      { rule: 'has(self.name) != has(self.selector)', message: 'spec.subject needs exactly one of name or selector' },
    ],
  },
);
export type SinkBindingSubject = Static<typeof SinkBindingSubjectSchema>;

export const SinkBindingSpecSchema = Type.Object(
  {
    subject: SinkBindingSubjectSchema,
    sink: DestinationSchema,
    ceOverrides: Type.Optional(CloudEventOverridesSchema),
  },
  { description: 'Injects K_SINK, K_CE_OVERRIDES (and K_CA_CERTS) into the pod template of the subject.' },
);
export type SinkBindingSpec = Static<typeof SinkBindingSpecSchema>;

export const SinkBindingSchema = kindSchema(
  SinkBindingSpecSchema,
  SourceStatusSchema,
  'SinkBinding tells the containers of a Deployment, Job, … where to send events.',
);
export type SinkBinding = Static<typeof SinkBindingSchema>;
