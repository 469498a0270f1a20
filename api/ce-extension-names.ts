/**
 * Which names a CloudEvents extension may have, in a module with no imports: the CRD schema (CEL rules) and the
 * adapters (K_CE_OVERRIDES, Kafka headers) must agree on it, and adapters must not load TypeBox to find out
 * (see event-types.ts for the same reason).
 */

/** CloudEvents context attributes that an extension must not shadow. */
export const RESERVED_CE_ATTRIBUTES = [
  'id',
  'source',
  'specversion',
  'type',
  'datacontenttype',
  'dataschema',
  'subject',
  'time',
  'data',
  'data_base64',
  // CloudEvents 0.3's name for dataschema: the SDK refuses to set it on a 1.0 event (it throws on every attempt,
  // which for a Kafka header would stall the partition), so it cannot be an extension either.
  'schemaurl',
] as const;

/** CloudEvents extension names: 1–20 lower-case letters or digits. Text form, for CEL and messages. */
export const CE_EXTENSION_NAME = '^[a-z0-9]{1,20}$';
export const MAX_CE_EXTENSIONS = 32;

const extensionName = new RegExp(CE_EXTENSION_NAME);
const reserved: ReadonlySet<string> = new Set(RESERVED_CE_ATTRIBUTES);

/** True when `name` is a well-formed extension name (says nothing about clashing with a core attribute). */
export function isCeExtensionName(name: string): boolean {
  return extensionName.test(name);
}

/** True when `name` is a CloudEvents context attribute, so an extension of that name would replace it. */
export function isReservedCeAttribute(name: string): boolean {
  return reserved.has(name);
}
