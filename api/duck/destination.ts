import { type Static, Type } from 'typebox';
import { KReferenceSchema } from './reference.js';

/**
 * Knative Destination: an object reference, a URI, or both (then the URI is resolved relative to the
 * object's address). Absoluteness of a lone `uri` is judged by the admission webhook, which can parse URLs.
 */
export const DestinationSchema = Type.Object(
  {
    ref: Type.Optional(KReferenceSchema),
    uri: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        description:
          'Absolute http(s) URL of the sink, or, together with `ref`, a path relative to the address of the referenced object.',
      }),
    ),
    CACerts: Type.Optional(
      Type.String({
        maxLength: 65536,
        description: 'PEM-encoded CA certificates trusted when the sink is served over HTTPS.',
      }),
    ),
    audience: Type.Optional(
      Type.String({ maxLength: 1024, description: 'OIDC audience of the sink (the `aud` of tokens sent to it).' }),
    ),
  },
  {
    description: 'Where events go: a reference to an Addressable object, a URI, or both.',
    'x-kubernetes-validations': [
      { rule: 'has(self.ref) || has(self.uri)', message: 'a Destination needs ref or uri (or both)' },
    ],
  },
);
export type Destination = Static<typeof DestinationSchema>;
