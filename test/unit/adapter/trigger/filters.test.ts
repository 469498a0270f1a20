import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../lib/errors.js';
import { type Filter, matchesFilters, parseFilters } from '../../../../adapter/trigger/filters.js';

const event = new CloudEvent<unknown>({
  id: '1',
  source: '/apis/v1/namespaces/ns/kafkasources/orders#orders',
  type: 'dev.headwater.kafka.record',
  subject: 'partition:0#1',
  region: 'eu-west',
});

describe('trigger filters', () => {
  it('empty list matches everything', () => {
    expect(matchesFilters([], event)).toBe(true);
  });

  it.each<[string, Filter, boolean]>([
    ['exact hit', { exact: { type: 'dev.headwater.kafka.record' } }, true],
    ['exact miss', { exact: { type: 'dev.headwater.kafka' } }, false],
    ['exact needs every pair', { exact: { type: 'dev.headwater.kafka.record', region: 'us' } }, false],
    ['exact on extension', { exact: { region: 'eu-west' } }, true],
    ['missing attribute never matches', { exact: { missing: '' } }, false],
    ['prefix', { prefix: { type: 'dev.headwater.' } }, true],
    ['prefix miss', { prefix: { type: 'com.' } }, false],
    ['suffix', { suffix: { source: '#orders' } }, true],
    ['suffix on missing attribute', { suffix: { nothere: 'x' } }, false],
    ['all', { all: [{ prefix: { type: 'dev.' } }, { exact: { region: 'eu-west' } }] }, true],
    ['all with one miss', { all: [{ prefix: { type: 'dev.' } }, { exact: { region: 'us' } }] }, false],
    ['any', { any: [{ exact: { region: 'us' } }, { exact: { region: 'eu-west' } }] }, true],
    ['any none', { any: [{ exact: { region: 'us' } }, { exact: { region: 'ap' } }] }, false],
    ['not', { not: { exact: { region: 'us' } } }, true],
    ['not of a match', { not: { exact: { region: 'eu-west' } } }, false],
    ['nested', { not: { any: [{ suffix: { type: '.record' } }] } }, false],
  ])('%s', (_name, filter, expected) => {
    expect(matchesFilters([filter], event)).toBe(expected);
  });

  it('a list is an AND', () => {
    expect(matchesFilters([{ exact: { region: 'eu-west' } }, { prefix: { type: 'dev.' } }], event)).toBe(true);
    expect(matchesFilters([{ exact: { region: 'eu-west' } }, { prefix: { type: 'com.' } }], event)).toBe(false);
  });

  it('parses valid filters and round-trips their meaning', () => {
    const parsed = parseFilters([{ all: [{ exact: { type: 'dev.headwater.kafka.record' } }, { not: { prefix: { subject: 'x' } } }] }], 'filters', 'K');
    expect(matchesFilters(parsed, event)).toBe(true);
  });

  it.each([
    [[{ exact: {} }], /filters\[0\]\.exact must be a non-empty map/],
    [[{ exact: { type: 1 } }], /filters\[0\]\.exact\.type must be a string/],
    [[{ exact: { type: 'a' }, prefix: { type: 'b' } }], /exactly one of/],
    [[{ cesql: "type = 'a'" }], /CESQL filters are not supported/],
    [[{ all: [] }], /filters\[0\]\.all must be a non-empty list/],
    [[{ any: [{ bogus: {} }] }], /filters\[0\]\.any\[0\] must have exactly one/],
    [[{ exact: { 'Bad-Name': 'x' } }], /is not a CloudEvents attribute name/],
    [{ exact: {} }, /filters must be a list/],
  ])('rejects %j with a message naming the field', (raw, message) => {
    expect(() => parseFilters(raw, 'filters', 'K_TRIGGER_CONFIG')).toThrow(ConfigError);
    expect(() => parseFilters(raw, 'filters', 'K_TRIGGER_CONFIG')).toThrow(message);
  });
});
