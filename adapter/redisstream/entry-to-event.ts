/**
 * A Redis stream entry as a CloudEvent (pure). The rules, documented in docs/adapters.md:
 *  - id = the entry id, type `dev.headwater.redisstream.entry`,
 *    source `/apis/v1/namespaces/{ns}/redisstreamsources/{name}#{stream}`, time = the entry id's millisecond part;
 *  - data (application/json) = an object of field → value; values are never parsed: a UTF-8 value is a JSON
 *    string, any other value `{"base64": "…"}` with its exact bytes; a field that occurs several times in the
 *    entry gets the list of its values, in entry order.
 */
import { CloudEvent } from 'cloudevents';
import type { StreamEntry } from './stream-reply.js';

export const redisStreamEventType = 'dev.headwater.redisstream.entry';

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
  return new CloudEvent<unknown>(
    {
      id: entry.id,
      type: redisStreamEventType,
      source: redisStreamEventSource(owner.namespace, owner.name, owner.stream),
      ...(Number.isFinite(ms) && ms > 0 ? { time: new Date(ms).toISOString() } : {}),
      datacontenttype: 'application/json',
      data: entryData(entry.fields),
    },
    true,
  );
}
