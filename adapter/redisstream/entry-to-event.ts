/**
 * A Redis stream entry as a CloudEvent (pure). The rules, documented in docs/adapters.md:
 *  - id = the entry id, type `dev.knative.sources.redisstream` (the API's REDIS_STREAM_EVENT_TYPE, as Knative),
 *    source `/apis/v1/namespaces/{ns}/redisstreamsources/{name}#{stream}`, time = the entry id's millisecond part;
 *  - data (application/json) = an object of field → value; values are never parsed: a UTF-8 value is a JSON
 *    string, any other value `{"base64": "…"}` with its exact bytes; a field that occurs several times in the
 *    entry gets the list of its values, in entry order.
 */
import type { CloudEvent } from 'cloudevents';
import { REDIS_STREAM_EVENT_TYPE } from '../../api/event-types.js';
import { sourceEvent } from '../runtime/source-event.js';
import type { StreamEntry } from './stream-reply.js';

/** One value for the CRD's eventTypes annotation, status.ceAttributes and the events themselves. */
export const redisStreamEventType = REDIS_STREAM_EVENT_TYPE;

export function redisStreamEventSource(namespace: string, name: string, stream: string): string {
  return `/apis/v1/namespaces/${namespace}/redisstreamsources/${name}#${stream}`;
}

export type EntryValue = string | { base64: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

function entryValue(bytes: Buffer): EntryValue {
  try {
    return decoder.decode(bytes);
  } catch {
    return { base64: bytes.toString('base64') };
  }
}

function fieldName(bytes: Buffer): string {
  try {
    return decoder.decode(bytes);
  } catch {
    // A JSON object key must be text; a non-UTF-8 field name is rare enough to mark rather than reject.
    return `base64:${bytes.toString('base64')}`;
  }
}

export function entryData(fields: StreamEntry['fields']): Record<string, EntryValue | EntryValue[]> {
  const out: Record<string, EntryValue | EntryValue[]> = {};
  for (const [nameBytes, valueBytes] of fields) {
    const name = fieldName(nameBytes);
    const value = entryValue(valueBytes);
    if (!Object.hasOwn(out, name)) out[name] = value;
    else {
      const prev = out[name]!;
      out[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
    }
  }
  return out;
}

export function entryToEvent(entry: StreamEntry, owner: { namespace: string; name: string; stream: string }): CloudEvent<unknown> {
  const ms = Number(entry.id.split('-')[0]);
  // id and time come from the entry id Redis made; type and source are checked once (source-event.ts).
  return sourceEvent({
    id: entry.id,
    type: redisStreamEventType,
    source: redisStreamEventSource(owner.namespace, owner.name, owner.stream),
    ...(Number.isFinite(ms) && ms > 0 ? { time: new Date(ms).toISOString() } : {}),
    datacontenttype: 'application/json',
    data: entryData(entry.fields),
  });
}
