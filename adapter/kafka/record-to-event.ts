/**
 * A Kafka record as a CloudEvent (pure). The rules, documented in docs/adapters.md:
 *  - id `{topic}-{partition}-{offset}`, type `dev.knative.kafka.event` (the API's KAFKA_EVENT_TYPE, as Knative),
 *    source `/apis/v1/namespaces/{ns}/kafkasources/{name}#{topic}`, subject `partition:{p}#{offset}`,
 *    time = the record timestamp;
 *  - data = the record value's exact bytes (never re-encoded, so no byte is changed); datacontenttype =
 *    the record's `content-type` header if present, else `application/json` when the bytes are UTF-8 JSON,
 *    else `application/octet-stream`. A null value (tombstone) gives an event without data;
 *  - key → extensions `key` and `partitionkey` (UTF-8 text), or base64 with `keyencoding: base64` when the
 *    key is not printable UTF-8;
 *  - a header becomes an extension when its lower-cased name matches ^[a-z0-9]{1,20}$, is not a CloudEvents
 *    context attribute nor one we set, and its value is printable UTF-8 (several values joined with ",");
 *    others are skipped (reported through `skipped`).
 */
import type { CloudEvent } from 'cloudevents';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { isCeExtensionName, isReservedCeAttribute } from '../../api/ce-extension-names.js';
import { KAFKA_EVENT_TYPE } from '../../api/event-types.js';
import { sourceEvent } from '../runtime/source-event.js';

/** One value for the CRD's eventTypes annotation, status.ceAttributes and the events themselves. */
export const kafkaEventType = KAFKA_EVENT_TYPE;

/** Extensions this mapping sets itself from the record key; a header must not overwrite them. */
const ownExtensions = new Set(['key', 'partitionkey', 'keyencoding']);

export function kafkaEventSource(namespace: string, name: string, topic: string): string {
  return `/apis/v1/namespaces/${namespace}/kafkasources/${name}#${topic}`;
}

/** Each owner's source per topic, built once: the same string object each time also keeps its hash for lookups. */
const sources = new WeakMap<{ namespace: string; name: string }, Map<string, string>>();

function sourceOf(owner: { namespace: string; name: string }, topic: string): string {
  let byTopic = sources.get(owner);
  if (byTopic === undefined) {
    byTopic = new Map();
    sources.set(owner, byTopic);
  }
  let source = byTopic.get(topic);
  if (source === undefined) {
    source = kafkaEventSource(owner.namespace, owner.name, topic);
    byTopic.set(topic, source);
  }
  return source;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The bytes as text if they are valid UTF-8 without control characters (they travel as HTTP header values). */
function printableUtf8(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return undefined;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
  return /[\u0000-\u001f\u007f]/.test(text) ? undefined : text;
}

export function looksLikeJson(bytes: Uint8Array): boolean {
  if (bytes.byteLength === 0) return false;
  try {
    JSON.parse(decoder.decode(bytes));
    return true;
  } catch {
    return false;
  }
}

function headerText(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  const parts = Array.isArray(value) ? value : [value];
  const texts: string[] = [];
  for (const p of parts) {
    const t = typeof p === 'string' ? p : printableUtf8(p);
    if (t === undefined) return undefined;
    texts.push(t);
  }
  return texts.join(',');
}

export interface RecordEvent {
  event: CloudEvent<unknown>;
  /** Headers not carried, with why (the role logs them at debug). */
  skipped: { header: string; reason: string }[];
}

export function recordToEvent(
  record: { topic: string; partition: number; message: KafkaMessage },
  owner: { namespace: string; name: string },
): RecordEvent {
  const { topic, partition, message } = record;
  const attrs: Record<string, unknown> & { type: string; source: string } = {
    id: `${topic}-${partition}-${message.offset}`,
    type: kafkaEventType,
    source: sourceOf(owner, topic),
    subject: `partition:${partition}#${message.offset}`,
  };
  const ts = Number(message.timestamp);
  if (Number.isFinite(ts) && ts > 0) attrs.time = new Date(ts).toISOString();

  const skipped: RecordEvent['skipped'] = [];
  let contentType: string | undefined;
  for (const [rawName, value] of Object.entries(message.headers ?? {})) {
    const name = rawName.toLowerCase();
    if (name === 'content-type') {
      contentType = headerText(value);
      if (contentType === undefined) skipped.push({ header: rawName, reason: 'content-type is not printable UTF-8' });
      else if (contentType === '') {
        // An empty datacontenttype is not a valid attribute: treated as absent (detected from the bytes).
        contentType = undefined;
        skipped.push({ header: rawName, reason: 'content-type is empty' });
      }
      continue;
    }
    if (!isCeExtensionName(name)) {
      skipped.push({ header: rawName, reason: 'not a valid CloudEvents extension name (^[a-z0-9]{1,20}$)' });
      continue;
    }
    if (isReservedCeAttribute(name) || ownExtensions.has(name)) {
      skipped.push({ header: rawName, reason: 'would replace a CloudEvents attribute' });
      continue;
    }
    const text = headerText(value);
    if (text === undefined) {
      skipped.push({ header: rawName, reason: 'value is not printable UTF-8' });
      continue;
    }
    attrs[name] = text;
  }

  if (message.key !== null && message.key !== undefined) {
    const key = printableUtf8(message.key);
    if (key !== undefined) {
      attrs.key = key;
      attrs.partitionkey = key;
    } else {
      const b64 = message.key.toString('base64');
      attrs.key = b64;
      attrs.partitionkey = b64;
      attrs.keyencoding = 'base64';
    }
  }

  if (message.value !== null && message.value !== undefined) {
    const value = message.value;
    attrs.datacontenttype = contentType ?? (looksLikeJson(value) ? 'application/json' : 'application/octet-stream');
    attrs.data = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  } else if (contentType !== undefined) {
    attrs.datacontenttype = contentType;
  }
  // Built without per-event schema validation: every attribute above is valid by construction (extension names
  // checked against ^[a-z0-9]{1,20}$, values printable text); type and source are checked once (source-event.ts).
  return { event: sourceEvent(attrs), skipped };
}
