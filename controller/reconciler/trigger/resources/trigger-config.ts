/**
 * K_TRIGGER_CONFIG from a Trigger whose bus and subscribers are resolved: inputs mapped to the topics their
 * sources publish to, Destinations replaced by URIs. Pure.
 */
import type { Filter, TriggerSpec } from '../../../../api/index.js';
import type { BusConfig } from '../../shared/bus.js';
import { sourceTopic } from '../../shared/bus.js';
import type { ResolvedDelivery } from '../../shared/delivery.js';

export interface ResolvedSubscriber {
  condition?: string;
  sinkUri?: string;
  topic?: string;
  deadLetterSinkUri?: string;
  delivery?: ResolvedDelivery;
}

export interface TriggerConfig {
  bus: BusConfig;
  inputs: Record<string, { topic: string; event?: string }>;
  filters: Filter[];
  subscribers: ResolvedSubscriber[];
}

export function triggerInputs(spec: TriggerSpec, namespace: string): TriggerConfig['inputs'] {
  const out: TriggerConfig['inputs'] = {};
  for (const [name, input] of Object.entries(spec.inputs ?? {})) {
    const ns = input.eventSource.namespace ?? namespace;
    out[name] = {
      topic: sourceTopic(ns, input.eventSource.name, input.event),
      ...(input.event === undefined ? {} : { event: input.event }),
    };
  }
  return out;
}

export function buildTriggerConfig(spec: TriggerSpec, namespace: string, bus: BusConfig, subscribers: ResolvedSubscriber[]): TriggerConfig {
  return { bus, inputs: triggerInputs(spec, namespace), filters: spec.filters ?? [], subscribers };
}
