/**
 * How a CloudEvent travels on every bus backend: structured-mode JSON (CloudEvents JSON format), binary
 * data as `data_base64`. One encoding for all backends, so the same bytes reach the Trigger whichever bus
 * carried them.
 */
import { CloudEvent } from 'cloudevents';
import { BusDecodeError } from './errors.js';

export const structuredContentType = 'application/cloudevents+json; charset=utf-8';

export function encodeEvent(event: CloudEvent<unknown>): Buffer {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (value === undefined || key === 'data' || key === 'data_base64') continue;
    out[key] = value;
  }
  const data: unknown = event.data;
  if (data instanceof Uint8Array) {
    out.data_base64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  } else if (typeof data === 'string' && isJsonContentType(event.datacontenttype)) {
    // JSON text travels as the JSON value it holds (the CloudEvents JSON format), so any consumer of the bus
    // reads the value the source meant — but only when that loses nothing. Otherwise (integers beyond 2^53,
    // `1.0`, `\u` escapes, text that is not JSON) the exact bytes travel as data_base64.
    const value = losslessJsonValue(data);
    if (value.ok) out.data = value.value;
    else out.data_base64 = Buffer.from(data, 'utf8').toString('base64');
  } else if (data !== undefined) {
    out.data = data;
  }
  return Buffer.from(JSON.stringify(out), 'utf8');
}

/** No content type means JSON in the CloudEvents JSON format; otherwise application/json or any +json type. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const media = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return media === 'application/json' || media.endsWith('+json') || media === 'text/json';
}

/** The text without the white space between JSON tokens (white space inside strings is kept). */
function withoutInsignificantSpace(text: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  for (const ch of text) {
    if (inString) {
      out += ch;
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch !== ' ' && ch !== '\n' && ch !== '\r' && ch !== '\t') {
      out += ch;
    }
  }
  return out;
}

/** The parsed value when serialising it again gives back the same tokens, i.e. parsing lost nothing. */
export function losslessJsonValue(text: string): { ok: true; value: unknown } | { ok: false } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  return JSON.stringify(value) === withoutInsignificantSpace(text) ? { ok: true, value } : { ok: false };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function decodeEvent(raw: Uint8Array): CloudEvent<unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  } catch (err) {
    throw new BusDecodeError(`invalid JSON (${err instanceof Error ? err.message : String(err)})`, { bytes: raw.byteLength });
  }
  if (!isRecord(parsed)) throw new BusDecodeError('not a JSON object', { bytes: raw.byteLength });
  for (const attr of ['id', 'source', 'type', 'specversion'] as const) {
    if (typeof parsed[attr] !== 'string' || parsed[attr] === '') {
      throw new BusDecodeError(`required attribute ${attr} missing`, { bytes: raw.byteLength });
    }
  }
  // The SDK validates only the spec versions it knows; any other would be accepted unchecked.
  if (parsed.specversion !== '1.0' && parsed.specversion !== '0.3') {
    throw new BusDecodeError(`specversion ${JSON.stringify(parsed.specversion)} is not supported (1.0 or 0.3)`, { id: parsed.id });
  }
  const props: Record<string, unknown> = { ...parsed };
  if (typeof props.data_base64 === 'string') {
    props.data = new Uint8Array(Buffer.from(props.data_base64, 'base64'));
    delete props.data_base64;
  }
  try {
    return new CloudEvent<unknown>(props, true);
  } catch (err) {
    throw new BusDecodeError(err instanceof Error ? err.message : String(err), { id: parsed.id });
  }
}
