/**
 * A CloudEvent as an HTTP request (CloudEvents HTTP binding 1.0): binary mode by default (attributes in ce-*
 * headers, data as the body), structured mode on request. The SDK's serializers do the mapping; this adds what
 * a real request needs: string header values safe for the wire, `traceparent` as its own header, a byte body.
 */
import { type CloudEvent, HTTP } from 'cloudevents';

export type ContentMode = 'binary' | 'structured';

export interface EncodedRequest {
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * Header values must be visible ASCII; the HTTP binding asks to percent-encode anything else as UTF-8 octets.
 * '%' itself is left alone so SDK receivers that do not decode (most of them) see ASCII values unchanged.
 */
function headerSafe(value: string): string {
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

export function encodeEvent(event: CloudEvent<unknown>, mode: ContentMode = 'binary'): EncodedRequest {
  const message = mode === 'binary' ? HTTP.binary(event) : HTTP.structured(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined || value === null) continue;
    headers[name.toLowerCase()] = headerSafe(String(value));
  }
  // W3C trace context travels as plain headers too, so tracing middleware on the sink side picks it up.
  const ext = event as unknown as Record<string, unknown>;
  if (typeof ext.traceparent === 'string') headers.traceparent = headerSafe(ext.traceparent);
  if (typeof ext.tracestate === 'string') headers.tracestate = headerSafe(ext.tracestate);
  return { headers, body: toBytes(message.body) };
}
