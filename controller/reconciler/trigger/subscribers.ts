/** Every subscriber's sink and dead-letter sink resolved to URIs, or the first failure naming its field. */
import type { TriggerSpec } from '../../../api/index.js';
import { SinkResolutionError } from '../../sink/errors.js';
import type { SinkLookup } from '../../sink/resolve.js';
import { resolveDestination } from '../../sink/resolve.js';
import { resolveDelivery } from '../shared/delivery.js';
import type { ResolvedSubscriber } from './resources/trigger-config.js';

export type SubscribersResult = { ok: true; subscribers: ResolvedSubscriber[] } | { ok: false; reason: string; message: string };

export function resolveSubscribers(spec: TriggerSpec, namespace: string, lookup: SinkLookup): SubscribersResult {
  const out: ResolvedSubscriber[] = [];
  try {
    for (const [i, sub] of (spec.subscribers ?? []).entries()) {
      const at = `spec.subscribers[${i}]`;
      if (sub.sink === undefined && sub.topic === undefined) {
        return { ok: false, reason: 'SubscriberInvalid', message: `${at}: has neither sink nor topic; give it one of them` };
      }
      const r: ResolvedSubscriber = {};
      if (sub.condition !== undefined) r.condition = sub.condition;
      if (sub.sink !== undefined) r.sinkUri = resolveDestination(sub.sink, { namespace, field: `${at}.sink` }, lookup).uri;
      if (sub.topic !== undefined) r.topic = sub.topic;
      // The subscriber's own deadLetterSink wins over one inside its delivery (Knative keeps it in delivery only).
      const { deadLetterSink: nestedDls, ...deliveryRest } = sub.delivery ?? {};
      const delivery = sub.delivery === undefined ? undefined : resolveDelivery(deliveryRest, namespace, `${at}.delivery`, lookup);
      if (delivery !== undefined) r.delivery = delivery;
      if (sub.deadLetterSink !== undefined) {
        r.deadLetterSinkUri = resolveDestination(sub.deadLetterSink, { namespace, field: `${at}.deadLetterSink` }, lookup).uri;
      } else if (nestedDls !== undefined) {
        r.deadLetterSinkUri = resolveDestination(nestedDls, { namespace, field: `${at}.delivery.deadLetterSink` }, lookup).uri;
      }
      out.push(r);
    }
  } catch (err) {
    if (err instanceof SinkResolutionError) return { ok: false, reason: err.reason, message: err.message };
    throw err;
  }
  return { ok: true, subscribers: out };
}
