/**
 * `K_TRIGGER_CONFIG` → a typed, validated dispatcher config. Conditions are compiled here, once, so a bad
 * Trigger fails at start with a message naming the subscriber, not on the first event.
 */
import { ConfigError } from '../../lib/errors.js';
import { parseBusConfig, validateTopic } from '../bus/config.js';
import type { BusConfig } from '../bus/types.js';
import { type DeliveryPolicy, parseDeliverySpec, parseSinkUrl } from '../runtime/config.js';
import { type CompiledCondition, compileCondition, validateInputName } from './condition.js';
import { type Filter, parseFilters } from './filters.js';

const variable = 'K_TRIGGER_CONFIG';

export interface TriggerInput {
  name: string;
  topic: string;
  /** The source's named output, already folded into `topic` by the controller; kept for logs. */
  event?: string;
}

export interface TriggerSubscriber {
  index: number;
  condition?: { expression: string; evaluate: CompiledCondition };
  sinkUri?: string;
  topic?: string;
  deadLetterSinkUri?: string;
  delivery: DeliveryPolicy;
  timeoutMs?: number;
}

export interface TriggerConfig {
  bus: BusConfig;
  inputs: TriggerInput[];
  filters: Filter[];
  subscribers: TriggerSubscriber[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseTriggerConfig(raw: unknown, env: Record<string, string | undefined> = process.env): TriggerConfig {
  if (!isRecord(raw)) throw new ConfigError(variable, 'must be a JSON object', 'Set it to {"bus":{…},"inputs":{…},"subscribers":[…]}.');
  const bus = parseBusConfig(raw.bus, variable, env, 'bus');

  if (!isRecord(raw.inputs) || Object.keys(raw.inputs).length === 0) {
    throw new ConfigError(variable, 'inputs must be a non-empty map of name → {topic}', 'Add at least one input.');
  }
  const inputs: TriggerInput[] = Object.entries(raw.inputs).map(([name, spec]) => {
    validateInputName(name, `inputs.${name}`, variable);
    if (!isRecord(spec)) throw new ConfigError(variable, `inputs.${name} must be an object`, 'Give it {"topic":"ns-source"}.');
    const topic = validateTopic(spec.topic, `inputs.${name}.topic`, variable);
    if (spec.event !== undefined && typeof spec.event !== 'string') {
      throw new ConfigError(variable, `inputs.${name}.event must be a string`, 'Name the source event or leave it out.');
    }
    return { name, topic, ...(typeof spec.event === 'string' ? { event: spec.event } : {}) };
  });
  const inputNames = inputs.map((i) => i.name);

  const filters = parseFilters(raw.filters, 'filters', variable);

  if (!Array.isArray(raw.subscribers) || raw.subscribers.length === 0) {
    throw new ConfigError(variable, 'subscribers must be a non-empty list', 'Add a subscriber with a sinkUri or a topic.');
  }
  const subscribers = raw.subscribers.map((s: unknown, index: number): TriggerSubscriber => {
    const at = `subscribers[${index}]`;
    if (!isRecord(s)) throw new ConfigError(variable, `${at} must be an object`, 'Give it a sinkUri or a topic.');
    const sub: TriggerSubscriber = { index, delivery: parseDeliverySpec(undefined).policy };
    if (s.condition !== undefined && s.condition !== '') {
      if (typeof s.condition !== 'string') throw new ConfigError(variable, `${at}.condition must be a string`, 'Write a CEL expression.');
      sub.condition = { expression: s.condition, evaluate: compileCondition(s.condition, inputNames, `${at}.condition`, variable) };
    }
    if (s.sinkUri !== undefined) {
      if (typeof s.sinkUri !== 'string') throw new ConfigError(variable, `${at}.sinkUri must be a URL string`, 'Give the resolved sink URL.');
      sub.sinkUri = parseSinkUrl(`${variable} ${at}.sinkUri`, s.sinkUri);
    }
    if (s.topic !== undefined) {
      sub.topic = validateTopic(s.topic, `${at}.topic`, variable);
      if (inputs.some((i) => i.topic === sub.topic)) {
        throw new ConfigError(variable, `${at}.topic ${sub.topic} is also an input of this Trigger`, 'Republish to a different topic: this one would loop back into the Trigger.');
      }
    }
    if (sub.sinkUri === undefined && sub.topic === undefined) {
      throw new ConfigError(variable, `${at} has neither sinkUri nor topic`, 'Give the subscriber a sink or a bus topic to republish to.');
    }
    const parsed = parseDeliverySpec(s.delivery, `${variable} ${at}.delivery`);
    sub.delivery = parsed.policy;
    if (parsed.timeoutMs !== undefined) sub.timeoutMs = parsed.timeoutMs;
    if (s.deadLetterSinkUri !== undefined) {
      if (typeof s.deadLetterSinkUri !== 'string') {
        throw new ConfigError(variable, `${at}.deadLetterSinkUri must be a URL string`, 'Give the resolved dead-letter sink URL.');
      }
      sub.deadLetterSinkUri = parseSinkUrl(`${variable} ${at}.deadLetterSinkUri`, s.deadLetterSinkUri);
    }
    return sub;
  });
  return { bus, inputs, filters, subscribers };
}
