/**
 * A CloudEvent as an HTTP request (CloudEvents HTTP binding 1.0): binary mode by default (attributes in ce-*
 * headers, data as the body), structured mode on request, plus what a real request needs: string header values
 * safe for the wire, `traceparent` as its own header, a byte body.
 *
 * Binary mode of a 1.0 event is mapped here, in one pass over the event's attributes, with exactly the SDK's
 * rules (`HTTP.binary`: attribute → header, `datacontenttype` → content-type defaulting to JSON, objects as JSON,
 * bytes as they are, `time` normalised). The SDK's serializer built a header map per event and a second one
 * here; on the adapters' hot path that was a measurable share of the CPU per event (bench/README.md). The unit
 * tests hold this mapping to the SDK's output. Structured mode and other spec versions go through the SDK.
 */
import { types } from 'node:util';
import { type CloudEvent, HTTP } from 'cloudevents';

export type ContentMode = 'binary' | 'structured';

export interface EncodedRequest {
  headers: Record<string, string>;
  body: Uint8Array;
}

const visibleAscii = /^[\x20-\x7e]*$/;

/**
 * Header values must be visible ASCII; the HTTP binding asks to percent-encode anything else as UTF-8 octets.
 * '%' itself is left alone so SDK receivers that do not decode (most of them) see ASCII values unchanged.
 */
export function headerSafe(value: string): string {
  if (visibleAscii.test(value)) return value;
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x20 && code <= 0x7e) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function toBytes(body: unknown): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array(0);
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body), 'utf8');
}

/** The SDK's default when an event has no datacontenttype. */
const defaultContentType = 'application/json; charset=utf-8';
/** Attributes with a header name of their own; every other attribute but the data is `ce-<name>`. */
const namedHeaders: Readonly<Record<string, string>> = { datacontenttype: 'content-type' };
const notHeaders = new Set(['data', 'data_base64']);
const canonicalTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Binary mode of a 1.0 event, as `HTTP.binary` maps it, with the header values made wire-safe. */
function encodeBinary(event: CloudEvent<unknown>): EncodedRequest {
  const headers: Record<string, string> = { 'content-type': defaultContentType };
  const attrs = event as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(event)) {
    const value = attrs[name];
    if (value === undefined || notHeaders.has(name)) continue;
    const header = namedHeaders[name] ?? `ce-${name.toLowerCase()}`;
    if (value === null) {
      // The SDK puts null through as a header value, which no request can carry: left out, as before.
      if (header === 'content-type') delete headers[header];
      continue;
    }
    headers[header] = headerSafe(String(value));
  }
  const time = attrs.time;
  if (time) {
    const text = String(time);
    headers['ce-time'] = canonicalTime.test(text) ? text : new Date(text).toISOString();
  }
  const data = attrs.data;
  // As the SDK: any object but a typed array is JSON, null included (a body of `null`).
  const body = typeof data === 'object' && !types.isTypedArray(data) ? JSON.stringify(data) : data;
  return { headers, body: toBytes(body) };
}

function encodeWithSdk(event: CloudEvent<unknown>, mode: ContentMode): EncodedRequest {
  const message = mode === 'binary' ? HTTP.binary(event) : HTTP.structured(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined || value === null) continue;
    headers[name.toLowerCase()] = headerSafe(String(value));
  }
  return { headers, body: toBytes(message.body) };
}

export function encodeEvent(event: CloudEvent<unknown>, mode: ContentMode = 'binary'): EncodedRequest {
  const encoded = mode === 'binary' && event.specversion === '1.0' ? encodeBinary(event) : encodeWithSdk(event, mode);
  // W3C trace context travels as plain headers too, so tracing middleware on the sink side picks it up.
  const ext = event as unknown as Record<string, unknown>;
  if (typeof ext.traceparent === 'string') encoded.headers.traceparent = headerSafe(ext.traceparent);
  if (typeof ext.tracestate === 'string') encoded.headers.tracestate = headerSafe(ext.tracestate);
  return encoded;
}
