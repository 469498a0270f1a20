/**
 * Knative-style condition sets, as pure functions over a conditions array: each mark returns a new array
 * and never mutates its input, so reconcilers can compare before/after to decide whether to write status.
 *
 * Rules (from knative.dev/pkg apis.ConditionSet, with the stricter timestamp rule):
 * - the happy condition (`Ready`) is derived from the dependents after every mark: the first `False`
 *   dependent wins (so Ready=False always carries the reason and message of what failed), else the first
 *   `Unknown` or missing one, else `True`;
 * - `lastTransitionTime` changes only when `status` changes; reason/message updates keep the old time;
 * - conditions that are not dependents are informational and get severity `Info`.
 */
import type { Condition, ConditionStatus } from './condition.js';

export const ConditionTypes = {
  Ready: 'Ready',
  SinkProvided: 'SinkProvided',
  EventBusReady: 'EventBusReady',
  Deployed: 'Deployed',
  BindingAvailable: 'BindingAvailable',
  BackendReachable: 'BackendReachable',
  SubscribersResolved: 'SubscribersResolved',
  ConnectionEstablished: 'ConnectionEstablished',
  InitialOffsetsCommitted: 'InitialOffsetsCommitted',
} as const;

export type Clock = () => Date;

export interface ConditionSet {
  readonly happy: string;
  readonly dependents: readonly string[];
  /** Adds every missing dependent and the happy condition as Unknown; keeps existing ones. */
  initialize(conditions: readonly Condition[] | undefined): Condition[];
  markTrue(conditions: readonly Condition[] | undefined, type: string, reason?: string, message?: string): Condition[];
  markFalse(conditions: readonly Condition[] | undefined, type: string, reason: string, message: string): Condition[];
  markUnknown(conditions: readonly Condition[] | undefined, type: string, reason: string, message: string): Condition[];
  /** Removes a condition (e.g. SinkProvided after a source moved to the bus path) and re-derives Ready. */
  clear(conditions: readonly Condition[] | undefined, type: string): Condition[];
  get(conditions: readonly Condition[] | undefined, type: string): Condition | undefined;
  isHappy(conditions: readonly Condition[] | undefined): boolean;
}

export function createConditionSet(
  dependents: readonly string[],
  options: { happy?: string; clock?: Clock } = {},
): ConditionSet {
  const happy = options.happy ?? ConditionTypes.Ready;
  const clock = options.clock ?? (() => new Date());
  if (dependents.includes(happy)) {
    throw new Error(`condition set: the happy condition ${happy} cannot also be a dependent`);
  }

  const get = (conditions: readonly Condition[] | undefined, type: string): Condition | undefined =>
    conditions?.find((c) => c.type === type);

  const severityOf = (type: string): Condition['severity'] =>
    type === happy || dependents.includes(type) ? undefined : 'Info';

  /** Puts `next` in place of the condition of its type, keeping the old transition time when status is unchanged. */
  const put = (conditions: readonly Condition[], next: Condition): Condition[] => {
    const old = get(conditions, next.type);
    const stamped: Condition = {
      ...next,
      lastTransitionTime:
        old && old.status === next.status && old.lastTransitionTime !== undefined
          ? old.lastTransitionTime
          : clock().toISOString(),
    };
    const out = conditions.filter((c) => c.type !== next.type);
    out.push(stamped);
    return out.sort((a, b) => order(a.type) - order(b.type) || a.type.localeCompare(b.type));
  };

  /** Stable order: happy first, then dependents as declared, then the rest by name. */
  const order = (type: string): number => {
    if (type === happy) return 0;
    const i = dependents.indexOf(type);
    return i >= 0 ? i + 1 : dependents.length + 1;
  };

  const build = (type: string, status: ConditionStatus, reason?: string, message?: string): Condition => {
    const c: Condition = { type, status };
    if (reason !== undefined && reason !== '') c.reason = reason;
    if (message !== undefined && message !== '') c.message = message;
    const severity = severityOf(type);
    if (severity !== undefined) c.severity = severity;
    return c;
  };

  const deriveHappy = (conditions: readonly Condition[]): Condition[] => {
    const deps = dependents.map((t) => get(conditions, t) ?? { type: t, status: 'Unknown' as const });
    const failed = deps.find((c) => c.status === 'False');
    const pending = deps.find((c) => c.status !== 'True');
    const pick = failed ?? pending;
    const next = pick ? build(happy, pick.status, pick.reason, pick.message) : build(happy, 'True');
    const old = get(conditions, happy);
    if (old && sameContent(old, next)) return [...conditions];
    return put(conditions, next);
  };

  const mark = (
    conditions: readonly Condition[] | undefined,
    type: string,
    status: ConditionStatus,
    reason?: string,
    message?: string,
  ): Condition[] => {
    const base = conditions ?? [];
    const next = build(type, status, reason, message);
    const old = get(base, type);
    const updated = old && sameContent(old, next) ? [...base] : put(base, next);
    return type === happy ? updated : deriveHappy(updated);
  };

  return {
    happy,
    dependents,
    initialize(conditions) {
      let out = [...(conditions ?? [])];
      for (const t of [happy, ...dependents]) {
        if (!get(out, t)) out = put(out, build(t, 'Unknown'));
      }
      return deriveHappy(out);
    },
    markTrue: (conditions, type, reason, message) => mark(conditions, type, 'True', reason, message),
    markFalse: (conditions, type, reason, message) => mark(conditions, type, 'False', reason, message),
    markUnknown: (conditions, type, reason, message) => mark(conditions, type, 'Unknown', reason, message),
    clear(conditions, type) {
      const out = (conditions ?? []).filter((c) => c.type !== type);
      return type === happy ? out : deriveHappy(out);
    },
    get,
    isHappy: (conditions) => get(conditions, happy)?.status === 'True',
  };
}

function sameContent(a: Condition, b: Condition): boolean {
  return (
    a.type === b.type &&
    a.status === b.status &&
    (a.reason ?? '') === (b.reason ?? '') &&
    (a.message ?? '') === (b.message ?? '') &&
    (a.severity ?? '') === (b.severity ?? '')
  );
}

const T = ConditionTypes;

/** Dependents per kind, as docs/architecture.md lists them. Sources pick the sink or the bus path. */
export const conditionDependents = {
  sourceSink: [T.SinkProvided, T.Deployed],
  sourceBus: [T.EventBusReady, T.Deployed],
  sinkBinding: [T.SinkProvided, T.BindingAvailable],
  eventBus: [T.BackendReachable],
  trigger: [T.EventBusReady, T.SubscribersResolved, T.Deployed],
} as const;

/** The condition set of a source (CronSource, KafkaSource, RedisStreamSource) on the path it uses. */
export function sourceConditionSet(path: 'sink' | 'bus', clock?: Clock): ConditionSet {
  const deps = path === 'sink' ? conditionDependents.sourceSink : conditionDependents.sourceBus;
  return createConditionSet(deps, clock ? { clock } : {});
}

export function sinkBindingConditionSet(clock?: Clock): ConditionSet {
  return createConditionSet(conditionDependents.sinkBinding, clock ? { clock } : {});
}

export function eventBusConditionSet(clock?: Clock): ConditionSet {
  return createConditionSet(conditionDependents.eventBus, clock ? { clock } : {});
}

export function triggerConditionSet(clock?: Clock): ConditionSet {
  return createConditionSet(conditionDependents.trigger, clock ? { clock } : {});
}
