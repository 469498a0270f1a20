import { type Static, Type } from 'typebox';
import { CE_EXTENSION_NAME, MAX_CE_EXTENSIONS, RESERVED_CE_ATTRIBUTES } from '../ce-extension-names.js';
import { StringMap } from '../schema-helpers.js';

// Re-exported so `api/index.ts` keeps offering them next to the schema they constrain.
export { CE_EXTENSION_NAME, MAX_CE_EXTENSIONS, RESERVED_CE_ATTRIBUTES };

export const CloudEventOverridesSchema = Type.Object(
  {
    extensions: Type.Optional(
      StringMap({
        maxProperties: MAX_CE_EXTENSIONS,
        maxValueLength: 1024,
        description:
          'CloudEvents extension attributes added to every event. Names: 1–20 lower-case letters or digits, not a core attribute name.',
        'x-kubernetes-validations': [
          {
            rule: `self.all(k, k.matches('${CE_EXTENSION_NAME}'))`,
            message: 'extension names must match ^[a-z0-9]{1,20}$ (lower-case letters and digits, at most 20)',
          },
          {
            rule: `self.all(k, !(k in [${RESERVED_CE_ATTRIBUTES.map((a) => `'${a}'`).join(', ')}]))`,
            message: `extension names must not be a CloudEvents core attribute (${RESERVED_CE_ATTRIBUTES.join(', ')})`,
          },
        ],
      }),
    ),
  },
  { description: 'Knative CloudEventOverrides: attributes added to every event the source sends.' },
);
export type CloudEventOverrides = Static<typeof CloudEventOverridesSchema>;
