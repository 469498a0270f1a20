import { type Static, Type } from 'typebox';
import { StringEnum } from '../schema-helpers.js';

export const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

export const CONDITION_SEVERITIES = ['', 'Warning', 'Info'] as const;
export type ConditionSeverity = (typeof CONDITION_SEVERITIES)[number];

export const ConditionSchema = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 316, description: 'Type of the condition, e.g. `Ready`.' }),
    status: StringEnum(CONDITION_STATUSES, { description: 'True, False or Unknown.' }),
    reason: Type.Optional(
      Type.String({ maxLength: 1024, description: 'One CamelCase word saying why the status is what it is.' }),
    ),
    message: Type.Optional(Type.String({ maxLength: 32768, description: 'What happened and what to do, for people.' })),
    lastTransitionTime: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the status last changed (RFC 3339).' }),
    ),
    severity: Type.Optional(
      StringEnum(CONDITION_SEVERITIES, {
        description: 'Empty for conditions that make up Ready; `Warning` or `Info` for informational ones.',
      }),
    ),
  },
  { description: 'Knative condition.' },
);
export type Condition = Static<typeof ConditionSchema>;

export const ConditionsSchema = Type.Array(ConditionSchema, {
  maxItems: 32,
  description: 'The latest observations of the state of the object.',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
});
