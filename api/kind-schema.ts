import { type TSchema, Type } from 'typebox';
import { ObjectMetaSchema } from './duck/object-meta.js';

/** The envelope every kind shares: apiVersion, kind, metadata, a required spec and an optional status. */
export function kindSchema<Spec extends TSchema, StatusT extends TSchema>(spec: Spec, status: StatusT, description: string) {
  return Type.Object(
    {
      apiVersion: Type.String({ description: 'APIVersion of this representation of the object.' }),
      kind: Type.String({ description: 'Kind of the object.' }),
      metadata: ObjectMetaSchema,
      spec,
      status: Type.Optional(status),
    },
    { description },
  );
}
