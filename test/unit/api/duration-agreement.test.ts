/**
 * Every duration the API accepts (the schema pattern plus its CEL rule) must be one the adapter can parse
 * (luxon's Duration.fromISO, see adapter/runtime/durations.ts): otherwise an object the apiserver took would
 * fail only later, in the adapter.
 */
import fc from 'fast-check';
import { Duration } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ISO8601_DURATION } from '../../../api/schema-helpers.js';

const pattern = new RegExp(ISO8601_DURATION);
/** The schema's pattern and the CEL rule next to it (`self != 'P' && !self.endsWith('T')`), in JS. */
const apiAccepts = (s: string): boolean => pattern.test(s) && s !== 'P' && !s.endsWith('T');

const n = fc.nat({ max: 10_000 }).map(String);
const opt = (arb: fc.Arbitrary<string>, unit: string) => fc.option(arb.map((v) => `${v}${unit}`), { nil: '' });
const seconds = fc.oneof(n, fc.tuple(n, fc.nat({ max: 999 })).map(([a, b]) => `${a}.${b}`));
const candidate = fc
  .tuple(opt(n, 'Y'), opt(n, 'M'), opt(n, 'W'), opt(n, 'D'), fc.boolean(), opt(n, 'H'), opt(n, 'M'), opt(seconds, 'S'))
  .map(([y, mo, w, d, t, h, mi, s]) => `P${y}${mo}${w}${d}${t ? `T${h}${mi}${s}` : ''}`);

describe('ISO-8601 durations: API and adapter agree', () => {
  it('whatever the API accepts, luxon parses', () => {
    fc.assert(
      fc.property(candidate, (s) => {
        if (apiAccepts(s)) expect(Duration.fromISO(s).isValid, s).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('the API refuses the shapes that are not durations', () => {
    for (const bad of ['P', 'PT', 'P1DT', '200ms', 'PT-1S', 'pt1s', 'PT1.S', '1S', 'PT1H30']) expect(apiAccepts(bad), bad).toBe(false);
    for (const good of ['PT0.2S', 'PT30S', 'P1D', 'P1Y2M3W4DT5H6M7.5S', 'PT0S']) expect(apiAccepts(good), good).toBe(true);
  });
});
