import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { findKind, KINDS } from '../../../api/kinds.js';
import {
  formatFieldError,
  pointerToPath,
  validateCelCondition,
  validateCronSchedule,
  validateDestination,
  validateObject,
  validateTimeZone,
} from '../../../api/validation/index.js';

const samplesDir = fileURLToPath(new URL('../../../samples/sources/', import.meta.url));

function loadSamples(): { file: string; obj: Record<string, unknown> }[] {
  return readdirSync(samplesDir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(`${samplesDir}${file}`, 'utf8')).map((d) => ({
        file,
        obj: d.toJS() as Record<string, unknown>,
      })),
    );
}

describe('cron schedules', () => {
  it.each(['* * * * *', '*/5 * * * *', '0 0 * * MON-FRI', '30 */10 * * * *', '@hourly'])('accepts %s', (s) => {
    expect(validateCronSchedule(s)).toEqual([]);
  });
  it.each([
    ['61 * * * *', 'out of range'],
    ['* * * *', 'has 4 fields'],
    ['* * * * * * *', 'has 7 fields'],
    ['every minute of the day please', 'not a valid cron schedule'],
    ['CRON_TZ=UTC * * * * *', 'spec.timezone'],
  ])('rejects %s, naming the field and what is allowed', (s, fragment) => {
    const [err, ...rest] = validateCronSchedule(s);
    expect(rest).toEqual([]);
    expect(err?.path).toBe('spec.schedule');
    const text = formatFieldError(err!);
    expect(text).toContain(fragment);
    expect(text).toMatch(/^spec\.schedule: .*; allowed: /);
  });
});

describe('time zones', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'])('accepts %s', (z) => {
    expect(validateTimeZone(z)).toEqual([]);
  });
  it('rejects an unknown zone', () => {
    expect(validateTimeZone('Mars/Olympus_Mons').map(formatFieldError)).toEqual([
      'spec.timezone: "Mars/Olympus_Mons" is not a known time zone; allowed: an IANA time zone name such as "UTC", "Europe/Berlin" or "America/New_York"',
    ]);
  });
  it('rejects a wrongly cased zone and says the right spelling', () => {
    expect(formatFieldError(validateTimeZone('europe/berlin')[0]!)).toContain('allowed: "Europe/Berlin"');
  });
});

describe('destinations', () => {
  const ref = { apiVersion: 'v1', kind: 'Service', name: 'event-display' };
  it('accepts a lone absolute URL, a ref, and a ref with a relative path', () => {
    expect(validateDestination({ uri: 'https://sink.example.com/x' }, 'spec.sink')).toEqual([]);
    expect(validateDestination({ ref }, 'spec.sink')).toEqual([]);
    expect(validateDestination({ ref, uri: '/events' }, 'spec.sink')).toEqual([]);
  });
  it.each([
    [{ uri: 'event-display' }, 'spec.sink.uri', 'not an absolute URL'],
    [{ uri: 'ftp://host/x' }, 'spec.sink.uri', 'scheme "ftp"'],
    [{ ref, uri: 'http://other/x' }, 'spec.sink.uri', 'absolute although ref is set'],
    [{ ref, CACerts: 'not a pem' }, 'spec.sink.CACerts', 'no PEM certificate'],
    [{ ref, CACerts: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }, 'spec.sink.CACerts', 'does not parse'],
  ])('rejects %j at %s', (dest, path, fragment) => {
    const errors = validateDestination(dest, 'spec.sink');
    expect(errors.map((e) => e.path)).toEqual([path]);
    expect(formatFieldError(errors[0]!)).toContain(fragment);
  });
});

describe('CEL subscriber conditions', () => {
  const inputs = ['a', 'b', 'c'];
  it.each(['a', 'a && (b || c)', '!a || b', 'a == b'])('accepts %s', (c) => {
    expect(validateCelCondition(c, inputs, 'spec.subscribers[0].condition')).toEqual([]);
  });
  it.each([
    ['a && d', 'Unknown variable: d'],
    ['a ||', 'does not compile'],
    ['a + 1', 'does not compile'],
    ['1 + 2', 'yields int, not bool'],
  ])('rejects %s', (c, fragment) => {
    const errors = validateCelCondition(c, inputs, 'spec.subscribers[0].condition');
    expect(errors).toHaveLength(1);
    expect(formatFieldError(errors[0]!)).toMatch(/^spec\.subscribers\[0\]\.condition: /);
    expect(formatFieldError(errors[0]!)).toContain(fragment);
    expect(formatFieldError(errors[0]!)).toContain('allowed: a boolean CEL expression over the input names (a, b, c)');
  });
});

describe('pointerToPath', () => {
  it('turns JSON pointers into kubectl paths', () => {
    expect(pointerToPath('/spec/subscribers/0/condition')).toBe('spec.subscribers[0].condition');
    expect(pointerToPath('/spec/ceOverrides/extensions/a~1b')).toBe('spec.ceOverrides.extensions["a/b"]');
  });
});

describe('validateObject', () => {
  const samples = loadSamples();

  it('has a sample for every kind', () => {
    expect(new Set(samples.map((s) => s.obj.kind))).toEqual(new Set(KINDS.map((k) => k.kind)));
  });

  for (const { file, obj } of samples) {
    it(`accepts samples/sources/${file}`, () => {
      const kind = findKind(String(obj.apiVersion).split('/')[0]!, String(obj.kind));
      expect(kind).toBeDefined();
      expect(validateObject(kind!, obj, 'default')).toEqual([]);
    });
  }

  const cron = (spec: Record<string, unknown>) => ({
    apiVersion: 'sources.headwater.dev/v1alpha1',
    kind: 'CronSource',
    metadata: { name: 'x', namespace: 'default' },
    spec: { schedule: '* * * * *', sink: { uri: 'http://sink.default.svc' }, ...spec },
  });
  const cronKind = findKind('sources.headwater.dev', 'CronSource')!;

  it('reports shape errors with paths before semantic checks', () => {
    const errors = validateObject(cronKind, cron({ schedule: 5, delivery: { backoffPolicy: 'zig' } }));
    expect(errors.map((e) => e.path).sort()).toEqual(['spec.delivery.backoffPolicy', 'spec.schedule']);
    expect(errors.find((e) => e.path === 'spec.delivery.backoffPolicy')?.allowed).toBe('linear, exponential');
  });

  it('checks schedule, time zone, JSON data and the dead-letter sink of a CronSource together', () => {
    const errors = validateObject(
      cronKind,
      cron({
        schedule: '* * *',
        timezone: 'Nowhere/Land',
        contentType: 'application/json',
        data: '{not json',
        delivery: { deadLetterSink: { uri: 'relative/path' } },
      }),
    );
    expect(errors.map((e) => e.path).sort()).toEqual([
      'spec.data',
      'spec.delivery.deadLetterSink.uri',
      'spec.schedule',
      'spec.timezone',
    ]);
  });

  it('rejects a SinkBinding whose subject lives in another namespace', () => {
    const kind = findKind('sources.headwater.dev', 'SinkBinding')!;
    const errors = validateObject(
      kind,
      {
        apiVersion: 'sources.headwater.dev/v1alpha1',
        kind: 'SinkBinding',
        metadata: { name: 'b', namespace: 'default' },
        spec: {
          subject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', namespace: 'other' },
          sink: { uri: 'http://x.default.svc' },
        },
      },
      'default',
    );
    expect(errors.map(formatFieldError)).toEqual([
      'spec.subject.namespace: "other" differs from the binding\'s namespace "default"; allowed: "default" or unset: a SinkBinding binds subjects in its own namespace only',
    ]);
  });

  it('rejects a Trigger condition that names an undeclared input', () => {
    const kind = findKind('eventing.headwater.dev', 'Trigger')!;
    const errors = validateObject(kind, {
      apiVersion: 'eventing.headwater.dev/v1alpha1',
      kind: 'Trigger',
      metadata: { name: 't', namespace: 'default' },
      spec: {
        eventBus: 'default',
        inputs: { a: { eventSource: { kind: 'CronSource', name: 'c' } } },
        subscribers: [{ condition: 'a', topic: 't1' }, { condition: 'a && ghost', sink: { uri: 'http://s.default.svc' } }],
      },
    });
    expect(errors.map((e) => e.path)).toEqual(['spec.subscribers[1].condition']);
  });
});
