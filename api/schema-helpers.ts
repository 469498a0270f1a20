/**
 * Small builders over TypeBox so that every schema in api/ is also a valid Kubernetes structural schema:
 * string enums carry `type: string`, maps are plain `additionalProperties` maps, and CEL rules ride along
 * as `x-kubernetes-validations` (ignored by TypeBox's own checker, enforced by the apiserver).
 */
import { type TSchema, type TUnsafe, Type } from 'typebox';

/** One CEL rule for the apiserver. `fieldPath` (relative, e.g. `.sink`) makes the error name the right field. */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

export interface SchemaDocs {
  description?: string;
  default?: unknown;
  examples?: unknown[];
}

/** `type: string` + `enum`, statically the union of the values. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaDocs & Record<string, unknown> = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/**
 * A string → string map. Emitted as `additionalProperties: {type: string}` because structural schemas do
 * not allow `patternProperties`; key rules therefore go into CEL (`keyRule`).
 */
export function StringMap(
  options: SchemaDocs & { maxProperties?: number; maxValueLength?: number; 'x-kubernetes-validations'?: CelRule[] } = {},
): TUnsafe<Record<string, string>> {
  const { maxValueLength, ...rest } = options;
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    additionalProperties: { type: 'string', ...(maxValueLength === undefined ? {} : { maxLength: maxValueLength }) },
    ...rest,
  });
}

/** A map from string keys to `value`; keys constrained by CEL in the options when needed. */
export function ObjectMap<T extends TSchema>(
  value: T,
  options: SchemaDocs & { maxProperties?: number; minProperties?: number; 'x-kubernetes-validations'?: CelRule[] } = {},
): TUnsafe<Record<string, import('typebox').Static<T>>> {
  return Type.Unsafe<Record<string, import('typebox').Static<T>>>({
    type: 'object',
    additionalProperties: value,
    ...options,
  });
}

/** Lower-case RFC 1123 subdomain: the name of another Kubernetes object. */
export const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** Lower-case RFC 1123 label: a namespace name. */
export const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/**
 * ISO-8601 duration (`PT0.2S`, `PT30S`, `P1D`). RE2 has no look-ahead, so the "not empty" and "T must be
 * followed by something" parts live in the CEL rule of `Iso8601Duration`.
 */
export const ISO8601_DURATION = '^P([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+(\\.[0-9]+)?S)?)?$';

export function Iso8601Duration(options: SchemaDocs = {}) {
  return Type.String({
    maxLength: 64,
    pattern: ISO8601_DURATION,
    ...options,
    'x-kubernetes-validations': [
      {
        rule: "self != 'P' && !self.endsWith('T')",
        message: 'must be an ISO-8601 duration with at least one component, e.g. PT0.2S, PT30S or P1D',
      },
    ],
  });
}

/** Name of an object in the same namespace (or of a cluster-scoped object). */
export function ObjectName(options: SchemaDocs = {}) {
  return Type.String({ minLength: 1, maxLength: 253, pattern: DNS1123_SUBDOMAIN, ...options });
}

export function NamespaceName(options: SchemaDocs = {}) {
  return Type.String({ minLength: 1, maxLength: 63, pattern: DNS1123_LABEL, ...options });
}
