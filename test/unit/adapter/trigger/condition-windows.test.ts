import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../lib/errors.js';
import { compileCondition, validateInputName } from '../../../../adapter/trigger/condition.js';
import { ConditionWindows } from '../../../../adapter/trigger/windows.js';

const names = ['a', 'b', 'c'];

describe('compileCondition', () => {
  it('evaluates over the seen set', () => {
    const cond = compileCondition('a && (b || c)', names, 'subscribers[0].condition', 'K');
    expect(cond(new Set(['a']))).toBe(false);
    expect(cond(new Set(['a', 'c']))).toBe(true);
    expect(cond(new Set(['b', 'c']))).toBe(false);
  });

  it('gives the same answer as evaluating the CEL expression for every seen set, asked repeatedly (memo)', () => {
    const expr = '(a && !b) || (c && b)';
    const direct = (seen: Set<string>): boolean => (seen.has('a') && !seen.has('b')) || (seen.has('c') && seen.has('b'));
    const cond = compileCondition(expr, names, 'subscribers[0].condition', 'K');
    for (let round = 0; round < 2; round++) {
      for (let mask = 0; mask < 8; mask++) {
        const seen = new Set(names.filter((_, i) => mask & (1 << i)));
        expect(cond(seen)).toBe(direct(seen));
      }
    }
  });

  it('evaluates directly (no memo) beyond 12 inputs', () => {
    const many = Array.from({ length: 14 }, (_, i) => `i${i}`);
    const cond = compileCondition('i0 && i13', many, 'subscribers[0].condition', 'K');
    expect(cond(new Set(['i0']))).toBe(false);
    expect(cond(new Set(['i0', 'i13']))).toBe(true);
  });

  it.each([
    ['a &&', /not a valid condition/],
    ['d', /Unknown variable: d/],
    ['a + 1', /not a valid condition/],
    ['"yes"', /has type string, not bool/],
  ])('rejects %s naming the subscriber', (expr, message) => {
    const run = (): unknown => compileCondition(expr, names, 'subscribers[2].condition', 'K_TRIGGER_CONFIG');
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(/subscribers\[2\]\.condition/);
    expect(run).toThrow(message);
  });

  it('rejects input names CEL cannot use', () => {
    expect(() => validateInputName('in', 'inputs.in', 'K')).toThrow(/cannot be used/);
    expect(() => validateInputName('9lives', 'inputs.9lives', 'K')).toThrow(/cannot be used/);
    expect(() => validateInputName('my-input', 'inputs.my-input', 'K')).toThrow(/cannot be used/);
    expect(() => validateInputName('orders_v2', 'inputs.orders_v2', 'K')).not.toThrow();
  });
});

describe('ConditionWindows (window/reset rule)', () => {
  const and = compileCondition('a && b', names, 's', 'K');
  const either = compileCondition('a || b', names, 's', 'K');

  it('a subscriber without condition gets every event', () => {
    const w = new ConditionWindows([undefined]);
    expect(w.observe(['a'])).toEqual([0]);
    expect(w.observe(['b'])).toEqual([0]);
  });

  it('delivers the event that makes the condition true, then resets that window', () => {
    const w = new ConditionWindows([and]);
    expect(w.observe(['a'])).toEqual([]);
    expect(w.observe(['a'])).toEqual([]);
    expect([...w.seen(0)]).toEqual(['a']);
    expect(w.observe(['b'])).toEqual([0]);
    expect(w.seen(0).size).toBe(0);
    // After the reset, b alone is not enough again.
    expect(w.observe(['b'])).toEqual([]);
    expect(w.observe(['a'])).toEqual([0]);
  });

  it('keeps one window per subscriber', () => {
    const w = new ConditionWindows([and, either, undefined]);
    expect(w.observe(['a'])).toEqual([1, 2]); // `a || b` fires and resets; `a && b` keeps a
    expect(w.observe(['b'])).toEqual([0, 1, 2]);
    expect(w.seen(0).size).toBe(0);
  });

  it('an event on a topic shared by two inputs marks both', () => {
    const w = new ConditionWindows([and]);
    expect(w.observe(['a', 'b'])).toEqual([0]);
  });

  it('an event that belongs to no input goes nowhere', () => {
    expect(new ConditionWindows([undefined]).observe([])).toEqual([]);
  });
});
