import { describe, expect, it } from 'vitest';
import { parseSourcesDocument } from '../../../../adapter/cron/file-source.js';
import { parseCronFlags } from '../../../../adapter/cron/flags.js';
import { buildTenant, CronSourceError } from '../../../../adapter/cron/tenant.js';
import { CRON_TICK_TYPE, tickEvent } from '../../../../adapter/cron/tick-event.js';
import { defaults } from '../../../../adapter/runtime/config.js';
import { ConfigError } from '../../../../lib/errors.js';

const cfgDefaults = {
  timeoutMs: 30_000,
  delivery: { retry: 3, backoffPolicy: 'exponential' as const, backoffDelayMs: 200, maxDelayMs: 60_000 },
  maxInFlight: 8,
  maxEventBytes: defaults.maxEventBytes,
  ceOverrides: { env: 'dev' },
};
const t = Date.parse('2026-05-01T12:00:00Z');

describe('buildTenant', () => {
  it('builds the output from spec and status', () => {
    const tenant = buildTenant({
      namespace: 'ns',
      name: 'c',
      spec: {
        schedule: '*/5 * * * *',
        timezone: 'Europe/Paris',
        data: '{"x":1}',
        contentType: 'application/json',
        ceOverrides: { extensions: { team: 'a' } },
        delivery: { retry: 1, backoffDelay: 'PT1S', timeout: 'PT5S', deadLetterSink: { uri: 'http://dls/' } },
      },
      sinkUri: 'http://sink.ns.svc.cluster.local',
      defaults: cfgDefaults,
    });
    expect(tenant.key).toBe('ns/c');
    expect(tenant.output).toMatchObject({
      sink: 'http://sink.ns.svc.cluster.local/',
      ceOverrides: { env: 'dev', team: 'a' },
      timeoutMs: 5000,
      delivery: { retry: 1, backoffDelayMs: 1000, deadLetterUri: 'http://dls/' },
    });
    expect(tenant.warnings).toEqual([]);
  });

  it('warns (does not fail) for a dead-letter ref it cannot resolve', () => {
    const tenant = buildTenant({
      namespace: 'ns',
      name: 'c',
      spec: { schedule: '* * * * *', delivery: { deadLetterSink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'dls' } } } },
      sinkUri: 'http://s/',
      defaults: cfgDefaults,
    });
    expect(tenant.warnings[0]).toMatch(/deadLetterSink\.ref/);
    expect(tenant.output.delivery.deadLetterUri).toBeUndefined();
  });

  it.each([
    [{ schedule: '' }, /spec\.schedule: is missing/],
    [{ schedule: 'x y' }, /spec\.schedule/],
    [{ schedule: '* * * * *', timezone: 'Nowhere/Land' }, /spec\.timezone/],
    [{ schedule: '* * * * *', data: 'a', dataBase64: 'YQ==' }, /spec\.dataBase64: is set together with spec\.data/],
    [{ schedule: '* * * * *', dataBase64: 'not base64!' }, /spec\.dataBase64: is not valid base64/],
    [{ schedule: '* * * * *', data: 'nope', contentType: 'application/json' }, /spec\.data: is not JSON/],
    [{ schedule: '* * * * *', ceOverrides: { extensions: { 'X-Y': 'a' } } }, /spec\.ceOverrides/],
  ])('rejects %j naming the field', (spec, pattern) => {
    expect(() => buildTenant({ namespace: 'ns', name: 'c', spec, sinkUri: 'http://s/', defaults: cfgDefaults })).toThrow(pattern);
  });

  it('refuses a source without a resolved sink', () => {
    expect(() => buildTenant({ namespace: 'ns', name: 'c', spec: { schedule: '* * * * *' }, defaults: cfgDefaults })).toThrow(
      CronSourceError,
    );
  });

  it('refuses, once when it is built, a source whose ticks would not be valid CloudEvents', () => {
    const build = (name: string, contentType?: string) =>
      buildTenant({ namespace: 'ns', name, spec: { schedule: '* * * * *', data: '{}', contentType }, sinkUri: 'http://s/', defaults: cfgDefaults });
    expect(() => build('a b')).toThrow(CronSourceError);
    expect(() => build('ok', '')).toThrow(/ns\/ok: spec: does not give a valid CloudEvent/);
    expect(build('ok', 'application/json').key).toBe('ns/ok');
  });

  it('changes its fingerprint only when something that matters changes', () => {
    const mk = (data: string) =>
      buildTenant({ namespace: 'ns', name: 'c', spec: { schedule: '* * * * *', data }, sinkUri: 'http://s/', defaults: cfgDefaults });
    expect(mk('a').fingerprint).toBe(mk('a').fingerprint);
    expect(mk('a').fingerprint).not.toBe(mk('b').fingerprint);
  });
});

describe('tickEvent', () => {
  it('has the documented attributes and a deterministic id', () => {
    const e = tickEvent({ namespace: 'ns', name: 'c', payload: { kind: 'text', data: '{"a":1}' }, contentType: 'application/json' }, t);
    expect(e.type).toBe(CRON_TICK_TYPE);
    expect(e.source).toBe('/apis/v1/namespaces/ns/cronsources/c');
    expect(e.id).toBe('ns/c/2026-05-01T12:00:00.000Z');
    expect(e.time).toBe('2026-05-01T12:00:00.000Z');
    expect(e.datacontenttype).toBe('application/json');
    expect(e.data).toBe('{"a":1}');
  });

  it('decodes dataBase64 to bytes', () => {
    const tenant = buildTenant({
      namespace: 'ns',
      name: 'c',
      spec: { schedule: '* * * * *', dataBase64: Buffer.from([0, 1, 255]).toString('base64') },
      sinkUri: 'http://s/',
      defaults: cfgDefaults,
    });
    const e = tickEvent(tenant.tick, t);
    expect([...(e.data as Uint8Array)]).toEqual([0, 1, 255]);
    expect(e.datacontenttype).toBe('application/octet-stream');
  });

  it('labels non-JSON text without a content type as text/plain, and leaves JSON unlabelled', () => {
    expect(tickEvent({ namespace: 'n', name: 'c', payload: { kind: 'text', data: 'hello' } }, t).datacontenttype).toBe(
      'text/plain; charset=utf-8',
    );
    expect(tickEvent({ namespace: 'n', name: 'c', payload: { kind: 'text', data: '{}' } }, t).datacontenttype).toBeUndefined();
    expect(tickEvent({ namespace: 'n', name: 'c', payload: { kind: 'none' } }, t).data).toBeUndefined();
  });
});

describe('parseCronFlags', () => {
  it('reads a single source', () => {
    expect(parseCronFlags(['--sink', 'http://s/', '--schedule', '* * * * *', '--timezone', 'UTC', '--data', 'd', '--name', 'n'])).toEqual({
      mode: 'single',
      namespace: 'default',
      name: 'n',
      sinkUri: 'http://s/',
      spec: { schedule: '* * * * *', timezone: 'UTC', data: 'd' },
    });
  });
  it('reads file and cluster modes', () => {
    expect(parseCronFlags(['--file', 'x.json'])).toEqual({ mode: 'file', path: 'x.json' });
    expect(parseCronFlags([])).toEqual({ mode: 'cluster' });
  });
  it('rejects unknown and conflicting flags', () => {
    expect(() => parseCronFlags(['--shedule', 'x'])).toThrow(ConfigError);
    expect(() => parseCronFlags(['--file', 'x', '--schedule', 'y'])).toThrow(/--file: cannot be combined with --schedule/);
    expect(() => parseCronFlags(['--sink', 'http://s/'])).toThrow(/--schedule: is missing/);
  });
});

describe('parseSourcesDocument', () => {
  it('reads a JSON list and a YAML items document', () => {
    const json = parseSourcesDocument('[{"metadata":{"name":"a"},"spec":{"schedule":"* * * * *","sink":{"uri":"http://s/"}}}]', 'f');
    expect(json).toEqual([{ namespace: 'default', name: 'a', sinkUri: 'http://s/', spec: { schedule: '* * * * *', sink: { uri: 'http://s/' } } }]);
    const yaml = parseSourcesDocument('items:\n- metadata: {name: b, namespace: x}\n  spec: {schedule: "@hourly"}\n', 'f');
    expect(yaml[0]).toMatchObject({ namespace: 'x', name: 'b' });
  });
  it('reads JSON-looking text that only YAML accepts (a comment, unquoted keys)', () => {
    const doc = parseSourcesDocument('[{metadata: {name: c}, spec: {schedule: "@daily"}}] # one source\n', 'f');
    expect(doc[0]).toMatchObject({ namespace: 'default', name: 'c', spec: { schedule: '@daily' } });
    expect(() => parseSourcesDocument('[{"metadata": ', 'f.json')).toThrow(/--file: f\.json is neither JSON nor YAML/);
  });
  it('rejects a document without sources and duplicate names', () => {
    expect(() => parseSourcesDocument('{"a":1}', 'f.json')).toThrow(/--file: f\.json holds no list/);
    expect(() => parseSourcesDocument('[{"metadata":{"name":"a"},"spec":{}},{"metadata":{"name":"a"},"spec":{}}]', 'f')).toThrow(/twice/);
  });
});

describe('buildTenant delivery fallback', () => {
  it('uses the process delivery (K_DELIVERY) when the source has none', () => {
    const processDelivery = { retry: 7, backoffPolicy: 'linear' as const, backoffDelayMs: 5, maxDelayMs: 100, deadLetterUri: 'http://dls/' };
    const tenant = buildTenant({
      namespace: 'ns',
      name: 'c',
      spec: { schedule: '* * * * *' },
      sinkUri: 'http://s/',
      defaults: { ...cfgDefaults, delivery: processDelivery, timeoutMs: 1234 },
    });
    expect(tenant.output.delivery).toEqual(processDelivery);
    expect(tenant.output.timeoutMs).toBe(1234);
  });
});
