import { type Static, Type } from 'typebox';
import { ObjectName } from '../schema-helpers.js';

export const SecretKeySelectorSchema = Type.Object(
  {
    name: ObjectName({ description: 'Name of a Secret in the namespace of the object.' }),
    key: Type.String({
      minLength: 1,
      maxLength: 253,
      pattern: '^[-._a-zA-Z0-9]+$',
      description: 'Key inside the Secret.',
    }),
    optional: Type.Optional(Type.Boolean({ description: 'Whether the Secret or key may be missing.' })),
  },
  { description: 'A key of a Secret in the same namespace.' },
);
export type SecretKeySelector = Static<typeof SecretKeySelectorSchema>;

export const SecretValueFromSourceSchema = Type.Object(
  { secretKeyRef: SecretKeySelectorSchema },
  { description: 'A value read from a Secret; the value itself never appears in the spec.' },
);
export type SecretValueFromSource = Static<typeof SecretValueFromSourceSchema>;
