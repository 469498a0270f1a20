import { describe, expect, it } from 'vitest';
import { loadControllerConfig } from '../../../../controller/runtime/config.js';
import { informerNamespaces } from '../../../../controller/runtime/watch-namespaces.js';
import { parseWatchNamespaces } from '../../../../lib/kube/watch-namespaces.js';
import { ConfigError } from '../../../../lib/errors.js';

describe('parseWatchNamespaces', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['   ', []],
    ['team-a', ['team-a']],
    [' team-b , team-a ', ['team-a', 'team-b']],
    ['a,b,a', ['a', 'b']],
    ['x'.repeat(63), ['x'.repeat(63)]],
  ])('%j → %j', (raw, expected) => {
    expect(parseWatchNamespaces(raw)).toEqual(expected);
  });

  it.each([
    ['a,,b', /WATCH_NAMESPACES: "a,,b" has an empty entry/],
    ['a,', /has an empty entry/],
    ['Team-A', /WATCH_NAMESPACES: "Team-A" is not a namespace name/],
    ['team_a', /"team_a" is not a namespace name/],
    ['-a', /"-a" is not a namespace name/],
    ['a-', /"a-" is not a namespace name/],
    ['a b', /"a b" is not a namespace name/],
    ['x'.repeat(64), /is not a namespace name/],
  ])('rejects %j with a ConfigError naming the variable', (raw, message) => {
    expect(() => parseWatchNamespaces(raw)).toThrow(ConfigError);
    expect(() => parseWatchNamespaces(raw)).toThrow(message);
  });

  it('is read by loadControllerConfig, and a bad value fails the config', () => {
    expect(loadControllerConfig({ HEADWATER_ADAPTER_IMAGE: 'i', WATCH_NAMESPACES: 'b,a' }).watchNamespaces).toEqual(['a', 'b']);
    expect(loadControllerConfig({ HEADWATER_ADAPTER_IMAGE: 'i' }).watchNamespaces).toEqual([]);
    expect(() => loadControllerConfig({ HEADWATER_ADAPTER_IMAGE: 'i', WATCH_NAMESPACES: 'ok,Not-OK' })).toThrow(/WATCH_NAMESPACES: "Not-OK"/);
  });
});

describe('informerNamespaces', () => {
  it('is undefined (all namespaces) when no list is set', () => {
    expect(informerNamespaces(undefined, 'headwater-system')).toBeUndefined();
    expect(informerNamespaces([], 'headwater-system')).toBeUndefined();
  });

  it('adds the system namespace to a list, once', () => {
    expect(informerNamespaces(['team-b', 'team-a'], 'headwater-system')).toEqual(['headwater-system', 'team-a', 'team-b']);
    expect(informerNamespaces(['headwater-system', 'team-a'], 'headwater-system')).toEqual(['headwater-system', 'team-a']);
  });
});
