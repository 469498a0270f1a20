/**
 * How a CloudEvent travels on every bus backend: structured-mode JSON (CloudEvents JSON format), binary
 * data as `data_base64`. One encoding for all backends, so the same bytes reach the Trigger whichever bus
 * carried them.
 */
import { CloudEvent } from 'cloudevents';
import { isCeExtensionName } from '../../api/ce-extension-names.js';
import { contextAttributes, preparedEvent } from '../runtime/prepared-event.js';
import { strictVerdict } from '../runtime/source-event.js';
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

/** Optional attributes the 1.0 schema types as a non-empty string (or null). */
const optionalStrings = ['datacontenttype', 'subject', 'dataschema'] as const;

/**
 * RFC 3339 date-time, as ajv-formats' `date-time` (which the strict check ran) accepts it: `T`/`t`/space
 * separator, fraction of any length, `Z` or a numeric offset, second 60 for a leap second. Day of month is
 * checked against the month below.
 */
const rfc3339 = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$/;
const daysInMonth = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isRfc3339DateTime(text: string): boolean {
  const m = rfc3339.exec(text);
  if (m === null) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (daysInMonth[month] ?? 0));
}

/** A URI attribute (source, dataschema) by the SDK's own strict rule, run once per distinct value (source-event.ts). */
function validUri(attr: 'source' | 'dataschema', value: string): boolean {
  return strictVerdict({ type: 'validation', source: attr === 'source' ? value : '/validation', ...(attr === 'dataschema' ? { dataschema: value } : {}) }) === null;
}

/**
 * What the SDK's strict validation refused that a bus message can carry, checked directly (the strict check runs
 * a compiled JSON schema, whose `date-time` format alone was a visible share of the Trigger's CPU per event:
 * bench/README.md). Throws BusDecodeError naming the attribute.
 */
function checkAttributes(parsed: Record<string, unknown>, id: string): void {
  for (const attr of optionalStrings) {
    const v = parsed[attr];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw new BusDecodeError(`attribute ${attr} is not a string`, { id });
    if (v === '') throw new BusDecodeError(`attribute ${attr} is empty`, { id });
  }
  if (!validUri('source', parsed.source as string)) {
    throw new BusDecodeError(`attribute source ${JSON.stringify(parsed.source)} is not a URI reference`, { id });
  }
  if (typeof parsed.dataschema === 'string' && !validUri('dataschema', parsed.dataschema)) {
    throw new BusDecodeError(`attribute dataschema ${JSON.stringify(parsed.dataschema)} is not a URI`, { id });
  }
  // The SDK replaces a falsy time with the current time before validating, so only a present one is checked.
  const time = parsed.time;
  if (time !== undefined && time !== null && time !== '') {
    if (typeof time !== 'string') throw new BusDecodeError('attribute time is not a string', { id });
    if (!isRfc3339DateTime(time)) throw new BusDecodeError(`attribute time ${JSON.stringify(time)} is not an RFC 3339 date-time`, { id });
  }
  const b64 = parsed.data_base64;
  if (b64 !== undefined && b64 !== null && typeof b64 !== 'string') throw new BusDecodeError('attribute data_base64 is not a string', { id });
  for (const [key, value] of Object.entries(parsed)) {
    // The SDK's context attributes (preparedEvent's set); every other key becomes an extension, checked as one.
    if (contextAttributes.has(key)) continue;
    if (!isCeExtensionName(key)) throw new BusDecodeError(`extension name ${JSON.stringify(key)} is not 1-20 lower-case letters or digits`, { id });
    // The CloudEvents type system has integers but no other numbers; every other JSON value the SDK accepts.
    if (typeof value === 'number' && !Number.isInteger(value)) {
      throw new BusDecodeError(`extension ${key} is not an integer (${value})`, { id });
    }
  }
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
  const id = parsed.id as string;
  // 1.0 (all this project writes) is checked here; 0.3, which only a foreign writer could put on the bus, keeps
  // the SDK's strict check (its schema differs: schemaurl, datacontentencoding) rather than a second copy of it.
  const strict = parsed.specversion !== '1.0';
  if (!strict) checkAttributes(parsed, id);
  const props: Record<string, unknown> = { ...parsed };
  if (typeof props.data_base64 === 'string') {
    props.data = new Uint8Array(Buffer.from(props.data_base64, 'base64'));
    delete props.data_base64;
  }
  try {
    // Not strict for 1.0: checkAttributes did what the schema did; preparedEvent, as the SDK's constructor, still
    // refuses schemaurl on 1.0.
    return strict ? new CloudEvent<unknown>(props, true) : preparedEvent(props);
  } catch (err) {
    throw new BusDecodeError(err instanceof Error ? err.message : String(err), { id });
  }
}
