import { describe, expect, it } from 'vitest';
import type { Condition } from '../../../api/duck/condition.js';
import {
  ConditionTypes as T,
  createConditionSet,
  eventBusConditionSet,
  sourceConditionSet,
  triggerConditionSet,
} from '../../../api/duck/conditions.js';

/** A clock the test moves by hand, so timestamps are exact. */
function manualClock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let now = start;
  return {
    clock: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-01T00:00:01.000Z';
const t2 = '2026-01-01T00:00:02.000Z';

describe('condition sets', () => {
  it('initialize adds Ready and every dependent as Unknown, Ready first', () => {
    const { clock } = manualClock();
    const set = sourceConditionSet('sink', clock);
    const c = set.initialize(undefined);
    expect(c.map((x) => [x.type, x.status])).toEqual([
      ['Ready', 'Unknown'],
      ['SinkProvided', 'Unknown'],
      ['Deployed', 'Unknown'],
    ]);
    expect(c.every((x) => x.lastTransitionTime === t0)).toBe(true);
  });

  it('initialize keeps existing conditions', () => {
    const set = sourceConditionSet('sink', manualClock().clock);
    const existing: Condition[] = [{ type: 'SinkProvided', status: 'True', lastTransitionTime: 'earlier' }];
    const c = set.initialize(existing);
    expect(set.get(c, 'SinkProvided')).toEqual(existing[0]);
  });

  it('Ready becomes True only when every dependent is True', () => {
    const set = sourceConditionSet('sink', manualClock().clock);
    let c = set.initialize([]);
    c = set.markTrue(c, T.SinkProvided);
    expect(set.isHappy(c)).toBe(false);
    expect(set.get(c, 'Ready')?.status).toBe('Unknown');
    c = set.markTrue(c, T.Deployed);
    expect(set.isHappy(c)).toBe(true);
    expect(set.get(c, 'Ready')).toMatchObject({ status: 'True' });
    expect(set.get(c, 'Ready')?.reason).toBeUndefined();
  });

  it('Ready=False carries the reason and message of the failing dependent, even behind an Unknown one', () => {
    const set = sourceConditionSet('sink', manualClock().clock);
    let c = set.initialize([]);
    c = set.markFalse(c, T.Deployed, 'DeploymentUnavailable', 'the adapter crashed: see its logs');
    expect(set.get(c, 'SinkProvided')?.status).toBe('Unknown');
    expect(set.get(c, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'DeploymentUnavailable',
      message: 'the adapter crashed: see its logs',
    });
  });

  it('Ready follows the first non-True dependent in declared order', () => {
    const set = triggerConditionSet(manualClock().clock);
    let c = set.initialize([]);
    c = set.markFalse(c, T.Deployed, 'Late', 'l');
    c = set.markFalse(c, T.EventBusReady, 'EventBusNotFound', 'EventBus "b" not found');
    expect(set.get(c, 'Ready')).toMatchObject({ status: 'False', reason: 'EventBusNotFound' });
    c = set.markTrue(c, T.EventBusReady);
    expect(set.get(c, 'Ready')).toMatchObject({ status: 'False', reason: 'Late' });
    c = set.markUnknown(c, T.Deployed, 'Rolling', 'r');
    // SubscribersResolved (never marked) comes before Deployed and is Unknown: it is the one Ready follows.
    expect(set.get(c, 'Ready')?.status).toBe('Unknown');
    expect(set.get(c, 'Ready')?.reason).toBeUndefined();
    c = set.markTrue(c, T.SubscribersResolved);
    expect(set.get(c, 'Ready')).toMatchObject({ status: 'Unknown', reason: 'Rolling', message: 'r' });
  });

  it('lastTransitionTime changes only when the status changes', () => {
    const { clock, advance } = manualClock();
    const set = eventBusConditionSet(clock);
    let c = set.markFalse([], T.BackendReachable, 'Unreachable', 'dial tcp: refused');
    expect(set.get(c, T.BackendReachable)?.lastTransitionTime).toBe(t0);
    advance(1000);
    c = set.markFalse(c, T.BackendReachable, 'Unreachable', 'dial tcp: timeout');
    expect(set.get(c, T.BackendReachable)).toMatchObject({ message: 'dial tcp: timeout', lastTransitionTime: t0 });
    expect(set.get(c, 'Ready')).toMatchObject({ message: 'dial tcp: timeout', lastTransitionTime: t0 });
    advance(1000);
    c = set.markTrue(c, T.BackendReachable);
    expect(set.get(c, T.BackendReachable)?.lastTransitionTime).toBe(t2);
    expect(set.get(c, 'Ready')?.lastTransitionTime).toBe(t2);
    expect(c.some((x) => x.lastTransitionTime === t1)).toBe(false);
  });

  it('an identical mark returns equal conditions (so a reconciler can skip the status write)', () => {
    const { clock, advance } = manualClock();
    const set = sourceConditionSet('bus', clock);
    const a = set.markTrue(set.initialize([]), T.EventBusReady);
    advance(5000);
    const b = set.markTrue(a, T.EventBusReady);
    expect(b).toEqual(a);
    expect(b).not.toBe(a);
  });

  it('does not mutate its input', () => {
    const set = sourceConditionSet('sink', manualClock().clock);
    const input = Object.freeze(set.initialize([]).map((c) => Object.freeze(c)));
    expect(() => set.markFalse(input, T.SinkProvided, 'SinkNotFound', 'x')).not.toThrow();
    expect(input.find((c) => c.type === 'SinkProvided')?.status).toBe('Unknown');
  });

  it('informational conditions get severity Info and do not affect Ready', () => {
    const set = sourceConditionSet('sink', manualClock().clock);
    let c = set.markTrue(set.markTrue([], T.SinkProvided), T.Deployed);
    c = set.markFalse(c, T.ConnectionEstablished, 'BrokerDown', 'b');
    expect(set.get(c, T.ConnectionEstablished)?.severity).toBe('Info');
    expect(set.isHappy(c)).toBe(true);
  });

  it('clear removes a condition and re-derives Ready', () => {
    const set = createConditionSet([T.SinkProvided, T.EventBusReady], { clock: manualClock().clock });
    let c = set.markTrue([], T.SinkProvided);
    c = set.markFalse(c, T.EventBusReady, 'EventBusNotFound', 'gone');
    expect(set.isHappy(c)).toBe(false);
    const narrowed = createConditionSet([T.SinkProvided], { clock: manualClock().clock });
    c = narrowed.clear(c, T.EventBusReady);
    expect(c.map((x) => x.type)).toEqual(['Ready', 'SinkProvided']);
    expect(narrowed.isHappy(c)).toBe(true);
  });

  it('refuses a set whose happy condition is also a dependent', () => {
    expect(() => createConditionSet(['Ready'])).toThrow(/cannot also be a dependent/);
  });
});
