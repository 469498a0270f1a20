/**
 * The object `new CloudEvent(attrs, false)` makes, made without the constructor's per-event costs: it copies
 * the attributes into a scratch object and `delete`s them one by one (which turns that object into a slow
 * dictionary), matches every extension name against a regular expression it then ignores (not strict), and, for
 * binary data, copies the bytes and base64-encodes them into `data_base64` on every event. The adapters send
 * binary data as the HTTP body and never read `data_base64`; in CPU profiles of the Kafka adapter the SDK
 * constructor cost more per event than the record's own conversion (bench/README.md).
 *
 * The result is what the SDK's constructor returns: an instance of its `CloudEvent` class (so `toJSON`,
 * `cloneWith`, `validate` and the HTTP binding behave the same), the same properties in the same order with the
 * same values, frozen. The one difference: `data_base64` of binary data is computed when read, by a getter on
 * the prototype, not at construction. The unit tests hold the two constructions together.
 *
 * Only for events whose attributes are valid by construction or checked by the caller (source-event.ts,
 * bus/wire.ts, cron/tick-event.ts): like `strict = false`, nothing here validates.
 */
import { CloudEvent } from 'cloudevents';

const V1 = '1.0';

/** Attributes the SDK's constructor takes out of the input; whatever else is there becomes an extension. */
export const contextAttributes: ReadonlySet<string> = new Set([
  'id',
  'time',
  'type',
  'source',
  'specversion',
  'datacontenttype',
  'subject',
  'datacontentencoding',
  'dataschema',
  'data_base64',
  'schemaurl',
  'data',
]);

/** As the SDK's `asBase64`: `Buffer.from(view)` then base64; a byte view is encoded in place instead of copied. */
function base64Of(view: ArrayBufferView): string {
  if (view instanceof Uint8Array) return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
  // Any other view is converted element by element, as the SDK does (e.g. an Int16Array's values modulo 256).
  return Buffer.from(view as unknown as Uint8Array).toString('base64');
}

/** As the SDK's `base64AsBinary` (it decodes through a binary string, so any input decodes somehow). */
function binaryOf(base64: string): Uint8Array {
  return new Uint8Array(Buffer.from(atob(base64), 'latin1'));
}

/** The event's own properties with data_base64 added where the SDK's event has it (before data and schemaurl). */
function withBase64(event: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(event)) {
    if (!('data_base64' in copy) && (key === 'data' || key === 'schemaurl')) copy.data_base64 = event.data_base64;
    copy[key] = event[key];
  }
  return copy;
}

/**
 * The prototype of an event with binary data: `data_base64` is a getter here instead of an own property
 * computed at construction, and the two methods that copy an event's own properties (`toJSON`, `cloneWith`)
 * add it back as the SDK's own property would be. A per-instance accessor (Object.defineProperty) was tried
 * first: V8 then kept every event as a dictionary, which cost more than the encoding saved (bench/README.md).
 */
const binaryEventPrototype: object = Object.create(CloudEvent.prototype, {
  data_base64: {
    get(this: { data: ArrayBufferView }): string {
      return base64Of(this.data);
    },
  },
  toJSON: {
    // As CloudEvent.prototype.toJSON.
    value(this: Record<string, unknown>): Record<string, unknown> {
      const event = withBase64(this);
      event.time = new Date(this.time as string).toISOString();
      if (event.data_base64 && event.data) delete event.data;
      return event;
    },
  },
  cloneWith: {
    // As CloudEvent.prototype.cloneWith, which is CloudEvent.cloneWith(this, options, strict).
    value(this: Record<string, unknown>, options: Record<string, unknown>, strict = true): CloudEvent<unknown> {
      return new CloudEvent<unknown>(Object.assign(withBase64(this), options), strict);
    },
  },
});

export function preparedEvent<T = unknown>(attrs: Readonly<Record<string, unknown>>): CloudEvent<T> {
  const data = attrs.data;
  const binary = ArrayBuffer.isView(data);
  // Typed as a record while it is filled in; it becomes the CloudEvent it is an instance of when frozen.
  const e = Object.create(binary ? binaryEventPrototype : CloudEvent.prototype) as Record<string, unknown>;
  e.id = attrs.id || crypto.randomUUID();
  e.time = attrs.time || new Date().toISOString();
  e.type = attrs.type;
  e.source = attrs.source;
  const specversion = attrs.specversion || V1;
  e.specversion = specversion;
  e.datacontenttype = attrs.datacontenttype;
  e.subject = attrs.subject;
  e.datacontentencoding = attrs.datacontentencoding;
  e.dataschema = attrs.dataschema;
  if (!binary) e.data_base64 = attrs.data_base64;
  // The SDK decodes data_base64 into data here (so it throws on bad base64 even when data is given), before
  // schemaurl, so `data` comes first in the property order.
  if (attrs.data_base64) {
    const decoded = binaryOf(attrs.data_base64 as string);
    e.data = data !== undefined ? data : decoded;
  }
  e.schemaurl = attrs.schemaurl;
  if (!attrs.data_base64) e.data = data;
  if (specversion === V1 && attrs.schemaurl) throw new TypeError('cannot set schemaurl on version 1.0 event');
  if (specversion === '0.3' && attrs.dataschema) throw new TypeError('cannot set dataschema on version 0.3 event');
  for (const key of Object.keys(attrs)) {
    if (!contextAttributes.has(key)) e[key] = attrs[key];
  }
  return Object.freeze(e) as unknown as CloudEvent<T>;
}
