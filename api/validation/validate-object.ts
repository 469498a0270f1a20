/**
 * Everything the webhook judges about one object: first its shape (the same TypeBox schema the CRD is
 * generated from, so a malformed object never reaches the semantic checks), then what a schema cannot
 * judge: cron syntax, time zones, URIs, certificates, JSON payloads and CEL conditions.
 */
import { Value } from 'typebox/value';
import type { DeliverySpec } from '../duck/delivery.js';
import type { Destination } from '../duck/destination.js';
import type { EventBusSpec } from '../eventing/eventbus.js';
import type { TriggerSpec } from '../eventing/trigger.js';
import type { KindInfo } from '../kinds.js';
import type { CronSourceSpec } from '../sources/cronsource.js';
import type { SinkBindingSpec } from '../sources/sinkbinding.js';
import { validateCelCondition } from './cel-condition.js';
import { validateCronSchedule } from './cron.js';
import { validateDelivery, validateDestination } from './destination.js';
import { type FieldError, pointerToPath } from './field-error.js';
import { validateTimeZone } from './timezone.js';

export function shapeErrors(kind: KindInfo, obj: unknown): FieldError[] {
  const raw = [...Value.Errors(kind.schema, obj)];
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of raw) {
    const path = pointerToPath(e.instancePath) || '(object)';
    // "must not have additional properties" repeats the error of the offending child; keep the child's.
    if (e.keyword === 'additionalProperties' && raw.some((o) => o !== e && o.instancePath.startsWith(`${e.instancePath}/`))) {
      continue;
    }
    const key = `${path}\u0000${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const params = e.params as { allowedValues?: unknown[] };
    errors.push({
      path,
      problem: e.message,
      ...(Array.isArray(params.allowedValues) ? { allowed: params.allowedValues.map(String).join(', ') } : {}),
    });
  }
  return errors;
}

interface SourceLikeSpec {
  sink?: Destination;
  delivery?: DeliverySpec;
}

function sourceSpecErrors(spec: SourceLikeSpec): FieldError[] {
  return [
    ...(spec.sink ? validateDestination(spec.sink, 'spec.sink') : []),
    ...(spec.delivery ? validateDelivery(spec.delivery, 'spec.delivery') : []),
  ];
}

function isJsonMediaType(contentType: string): boolean {
  const base = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return base === 'application/json' || base.endsWith('+json');
}

function cronSourceErrors(spec: CronSourceSpec): FieldError[] {
  const errors = [...sourceSpecErrors(spec), ...validateCronSchedule(spec.schedule)];
  if (spec.timezone !== undefined) errors.push(...validateTimeZone(spec.timezone));
  if (spec.contentType !== undefined && spec.data !== undefined && isJsonMediaType(spec.contentType)) {
    try {
      JSON.parse(spec.data);
    } catch (err) {
      errors.push({
        path: 'spec.data',
        problem: `is not JSON although spec.contentType is ${spec.contentType} (${(err as Error).message})`,
        allowed: 'a JSON document, or another spec.contentType such as text/plain',
      });
    }
  }
  return errors;
}

function sinkBindingErrors(spec: SinkBindingSpec, namespace: string | undefined): FieldError[] {
  const errors = validateDestination(spec.sink, 'spec.sink');
  if (spec.subject.namespace !== undefined && namespace !== undefined && spec.subject.namespace !== namespace) {
    errors.push({
      path: 'spec.subject.namespace',
      problem: `"${spec.subject.namespace}" differs from the binding's namespace "${namespace}"`,
      allowed: `"${namespace}" or unset: a SinkBinding binds subjects in its own namespace only`,
    });
  }
  return errors;
}

function eventBusErrors(spec: EventBusSpec): FieldError[] {
  if (spec.nats) {
    try {
      const url = new URL(spec.nats.url);
      if (url.hostname === '') throw new Error('no host');
    } catch (err) {
      return [
        {
          path: 'spec.nats.url',
          problem: `"${spec.nats.url}" is not a valid URL (${(err as Error).message})`,
          allowed: 'nats://host:port (or tls://, ws://, wss://)',
        },
      ];
    }
  }
  return [];
}

function triggerErrors(spec: TriggerSpec): FieldError[] {
  const inputs = Object.keys(spec.inputs);
  const errors: FieldError[] = [];
  spec.subscribers.forEach((s, i) => {
    const path = `spec.subscribers[${i}]`;
    if (s.condition !== undefined) errors.push(...validateCelCondition(s.condition, inputs, `${path}.condition`));
    if (s.sink) errors.push(...validateDestination(s.sink, `${path}.sink`));
    if (s.deadLetterSink) errors.push(...validateDestination(s.deadLetterSink, `${path}.deadLetterSink`));
    if (s.delivery) errors.push(...validateDelivery(s.delivery, `${path}.delivery`));
  });
  return errors;
}

interface KubeLike {
  metadata?: { namespace?: string };
  spec?: unknown;
}

/**
 * All field errors for `obj` of `kind`; empty when the object is acceptable. `namespace` is the namespace
 * of the request (the object's own may be unset on create).
 */
export function validateObject(kind: KindInfo, obj: unknown, namespace?: string): FieldError[] {
  const shape = shapeErrors(kind, obj);
  if (shape.length > 0) return shape;
  const o = obj as KubeLike;
  const ns = namespace ?? o.metadata?.namespace;
  switch (kind.kind) {
    case 'CronSource':
      return cronSourceErrors(o.spec as CronSourceSpec);
    case 'KafkaSource':
    case 'RedisStreamSource':
      return sourceSpecErrors(o.spec as SourceLikeSpec);
    case 'SinkBinding':
      return sinkBindingErrors(o.spec as SinkBindingSpec, ns);
    case 'EventBus':
    case 'ClusterEventBus':
      return eventBusErrors(o.spec as EventBusSpec);
    case 'Trigger':
      return triggerErrors(o.spec as TriggerSpec);
    default:
      return [];
  }
}
