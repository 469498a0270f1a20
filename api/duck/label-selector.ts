import { type Static, Type } from 'typebox';
import { StringEnum, StringMap } from '../schema-helpers.js';

export const LabelSelectorRequirementSchema = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 317, description: 'The label key.' }),
  operator: StringEnum(['In', 'NotIn', 'Exists', 'DoesNotExist'] as const, {
    description: 'How the key relates to the values.',
  }),
  values: Type.Optional(
    Type.Array(Type.String({ maxLength: 63 }), {
      maxItems: 64,
      description: 'Values for In and NotIn; empty for Exists and DoesNotExist.',
    }),
  ),
});

/** The Kubernetes LabelSelector (as in a Deployment's `selector`). */
export const LabelSelectorSchema = Type.Object(
  {
    matchLabels: Type.Optional(StringMap({ maxProperties: 64, maxValueLength: 63, description: 'Labels that must all match.' })),
    matchExpressions: Type.Optional(
      Type.Array(LabelSelectorRequirementSchema, { maxItems: 32, description: 'Requirements that must all hold.' }),
    ),
  },
  { description: 'Selects objects by their labels.' },
);
export type LabelSelector = Static<typeof LabelSelectorSchema>;
