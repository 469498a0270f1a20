import { type Static, Type } from 'typebox';
import { NamespaceName, ObjectName } from '../schema-helpers.js';

/** Knative KReference: points at an object, typically an Addressable (Service, Knative Service, Broker…). */
export const KReferenceSchema = Type.Object(
  {
    apiVersion: Type.String({
      minLength: 1,
      maxLength: 317,
      description: 'API version of the referent, e.g. `v1` or `serving.knative.dev/v1`.',
    }),
    kind: Type.String({ minLength: 1, maxLength: 63, description: 'Kind of the referent, e.g. `Service`.' }),
    name: ObjectName({ description: 'Name of the referent.' }),
    namespace: Type.Optional(
      NamespaceName({ description: "Namespace of the referent; defaults to the referring object's namespace." }),
    ),
  },
  { description: 'A reference to another Kubernetes object.' },
);
export type KReference = Static<typeof KReferenceSchema>;
