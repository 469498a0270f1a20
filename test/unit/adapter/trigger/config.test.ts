import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../lib/errors.js';
import { parseTriggerConfig } from '../../../../adapter/trigger/config.js';

const base = {
  bus: { backend: 'nats', nats: { url: 'nats://127.0.0.1:4222' } },
  inputs: { a: { topic: 'ns-src1' }, b: { topic: 'ns-src2', event: 'created' } },
  filters: [{ prefix: { type: 'dev.' } }],
  subscribers: [
    { condition: 'a && b', sinkUri: 'http://sink.ns.svc/', deadLetterSinkUri: 'http://dls/', delivery: { retry: 5, backoffDelay: 'PT1S', timeout: 'PT2S' } },
    { topic: 'ns-combined' },
  ],
};

describe('parseTriggerConfig', () => {
  it('parses a full config', () => {
    const cfg = parseTriggerConfig(base, { BUS_NATS_TOKEN: 'tok' });
    expect(cfg.bus).toEqual({ backend: 'nats', nats: { url: 'nats://127.0.0.1:4222', token: 'tok' } });
    expect(cfg.inputs).toEqual([
      { name: 'a', topic: 'ns-src1' },
      { name: 'b', topic: 'ns-src2', event: 'created' },
    ]);
    expect(cfg.filters).toEqual([{ prefix: { type: 'dev.' } }]);
    const [s0, s1] = cfg.subscribers;
    expect(s0?.sinkUri).toBe('http://sink.ns.svc/');
    expect(s0?.deadLetterSinkUri).toBe('http://dls/');
    expect(s0?.delivery.retry).toBe(5);
    expect(s0?.delivery.backoffDelayMs).toBe(1000);
    expect(s0?.timeoutMs).toBe(2000);
    expect(s0?.condition?.evaluate(new Set(['a', 'b']))).toBe(true);
    expect(s0?.condition?.evaluate(new Set(['a']))).toBe(false);
    expect(s1?.topic).toBe('ns-combined');
    expect(s1?.condition).toBeUndefined();
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', 'x', /must be a JSON object/],
    ['bad backend', { ...base, bus: { backend: 'rabbit' } }, /bus\.backend must be one of nats, redis, kafka/],
    ['missing backend section', { ...base, bus: { backend: 'redis' } }, /bus\.redis must be an object/],
    ['no inputs', { ...base, inputs: {} }, /inputs must be a non-empty map/],
    ['bad input topic', { ...base, inputs: { a: { topic: 'has space' } } }, /inputs\.a\.topic must match/],
    ['bad input name', { ...base, inputs: { 'a-b': { topic: 't' } } }, /input name "a-b" cannot be used/],
    ['no subscribers', { ...base, subscribers: [] }, /subscribers must be a non-empty list/],
    ['subscriber without target', { ...base, subscribers: [{ condition: 'a' }] }, /subscribers\[0\] has neither sinkUri nor topic/],
    ['condition on unknown input', { ...base, subscribers: [{ condition: 'a && z', topic: 'x' }] }, /subscribers\[0\]\.condition .*Unknown variable: z/],
    ['bad sink', { ...base, subscribers: [{ sinkUri: 'ftp://x' }] }, /scheme "ftp:" is not supported/],
    ['loop', { ...base, subscribers: [{ topic: 'ns-src1' }] }, /is also an input of this Trigger/],
    ['bad delivery', { ...base, subscribers: [{ topic: 'x', delivery: { retry: -1 } }] }, /retry/],
    ['bad filter', { ...base, filters: [{ nope: {} }] }, /filters\[0\] must have exactly one/],
  ])('rejects %s', (_n, raw, message) => {
    expect(() => parseTriggerConfig(raw, {})).toThrow(ConfigError);
    expect(() => parseTriggerConfig(raw, {})).toThrow(message);
  });
});
