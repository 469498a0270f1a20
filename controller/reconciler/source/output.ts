/**
 * Where a source's events go: a resolved sink (plus the resolved dead-letter sink) or a usable EventBus.
 * The failure carries the condition it turns into, with a reason and a message that says what to fix.
 */
import type { CloudEventOverrides, DeliverySpec, Destination } from '../../../api/index.js';
import { ConditionTypes } from '../../../api/index.js';
import { SinkResolutionError } from '../../sink/errors.js';
import type { ResolvedSink, SinkLookup } from '../../sink/resolve.js';
import { resolveDestination } from '../../sink/resolve.js';
import type { Lister } from '../../runtime/types.js';
import type { BusConfig, FoundBus } from '../shared/bus.js';
import { busConfig, busUsability, findBus, sourceTopic } from '../shared/bus.js';
import type { ResolvedDelivery } from '../shared/delivery.js';
import { resolveDelivery } from '../shared/delivery.js';

/** The fields every source spec shares (the Knative SourceSpec duck plus `eventBus`). */
export interface SourceSpecDuck {
  sink?: Destination;
  eventBus?: string;
  ceOverrides?: CloudEventOverrides;
  delivery?: DeliverySpec;
}

export interface OutputFailure {
  ok: false;
  path: 'sink' | 'bus';
  condition: string;
  status: 'False' | 'Unknown';
  reason: string;
  message: string;
}

export interface SinkOutput {
  ok: true;
  path: 'sink';
  sink: ResolvedSink;
  delivery?: ResolvedDelivery;
}

export interface BusOutput {
  ok: true;
  path: 'bus';
  bus: FoundBus;
  config: BusConfig & { topic: string };
}

export type SourceOutput = SinkOutput | BusOutput | OutputFailure;

export function resolveSourceOutput(
  spec: SourceSpecDuck,
  namespace: string,
  name: string,
  lister: Lister,
  lookup: SinkLookup,
  systemNamespace: string,
): SourceOutput {
  if (spec.eventBus !== undefined && spec.eventBus !== '') {
    const bus = findBus(lister, namespace, spec.eventBus);
    const usable = busUsability(bus, namespace, systemNamespace, spec.eventBus);
    if (!usable.usable) return { ok: false, path: 'bus', condition: ConditionTypes.EventBusReady, ...usable };
    const config = busConfig(bus as FoundBus);
    if (config === undefined) {
      return {
        ok: false,
        path: 'bus',
        condition: ConditionTypes.EventBusReady,
        status: 'False',
        reason: 'EventBusInvalid',
        message: `EventBus ${spec.eventBus} has no backend; set one of spec.nats, spec.redis, spec.kafka`,
      };
    }
    return { ok: true, path: 'bus', bus: bus as FoundBus, config: { ...config, topic: sourceTopic(namespace, name) } };
  }
  try {
    const sink = resolveDestination(spec.sink, { namespace, field: 'spec.sink' }, lookup);
    const delivery = resolveDelivery(spec.delivery, namespace, 'spec.delivery', lookup);
    return delivery === undefined ? { ok: true, path: 'sink', sink } : { ok: true, path: 'sink', sink, delivery };
  } catch (err) {
    if (!(err instanceof SinkResolutionError)) throw err;
    return { ok: false, path: 'sink', condition: ConditionTypes.SinkProvided, status: 'False', reason: err.reason, message: err.message };
  }
}
