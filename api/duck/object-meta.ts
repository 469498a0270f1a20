import type { V1ObjectMeta } from '@kubernetes/client-node';
import { Type } from 'typebox';

/**
 * The apiserver owns and validates metadata; a CRD may only say `type: object` there. Statically it is
 * the client library's ObjectMeta so our kinds fit the controller's KubeObject without casts.
 */
export const ObjectMetaSchema = Type.Unsafe<V1ObjectMeta>({ type: 'object' });
