/**
 * The bus decoder builds 1.0 events without the SDK's per-event schema run and checks the attributes itself: these
 * golden cases pin what it accepts and that each malformed attribute is refused by name, as the strict check did.
 */
import { describe, expect, it } from 'vitest';
import { BusDecodeError } from '../../../../adapter/bus/errors.js';
import { decodeEvent, isRfc3339DateTime } from '../../../../adapter/bus/wire.js';

const base = { specversion: '1.0', id: 'e1', source: '/sources/a', type: 'com.example.t' };
const wire = (o: Record<string, unknown>): Buffer => Buffer.from(JSON.stringify(o), 'utf8');

describe('decodeEvent: valid 1.0 events', () => {
  it('JSON data', () => {
    const ev = decodeEvent(wire({ ...base, datacontenttype: 'application/json', time: '2026-01-02T03:04:05.123456Z', data: { n: 1, a: [true, null] } }));
    expect(ev.id).toBe('e1');
    expect(ev.source).toBe('/sources/a');
    expect(ev.type).toBe('com.example.t');
    expect(ev.specversion).toBe('1.0');
    expect(ev.time).toBe('2026-01-02T03:04:05.123456Z');
    expect(ev.data).toEqual({ n: 1, a: [true, null] });
  });

  it('text data', () => {
    const ev = decodeEvent(wire({ ...base, datacontenttype: 'text/plain', subject: 'file.txt', data: 'hello ü' }));
    expect(ev.data).toBe('hello ü');
    expect(ev.subject).toBe('file.txt');
    expect(ev.datacontenttype).toBe('text/plain');
  });

  it('data_base64 becomes bytes', () => {
    const ev = decodeEvent(wire({ ...base, datacontenttype: 'application/octet-stream', data_base64: Buffer.from([0, 1, 254, 255]).toString('base64') }));
    expect(ev.data).toBeInstanceOf(Uint8Array);
    expect([...(ev.data as Uint8Array)]).toEqual([0, 1, 254, 255]);
  });

  it('extensions of every CloudEvents type a JSON message can carry', () => {
    const ev = decodeEvent(wire({ ...base, partitionkey: 'k1', sequence: 42, flag: true, knativearrivaltime: '2026-01-02T03:04:05Z', a1234567890123456789: 'x' }));
    const attrs = ev as unknown as Record<string, unknown>;
    expect(attrs.partitionkey).toBe('k1');
    expect(attrs.sequence).toBe(42);
    expect(attrs.flag).toBe(true);
    expect(attrs.a1234567890123456789).toBe('x');
  });

  it('time in the RFC 3339 forms the strict check accepted (offset, lower-case, space, leap day)', () => {
    for (const time of ['2026-01-02T03:04:05+01:00', '2026-01-02t03:04:05z', '2026-01-02 03:04:05Z', '2024-02-29T00:00:00Z', '2016-12-31T23:59:60Z']) {
      expect(decodeEvent(wire({ ...base, time })).time).toBe(time);
    }
  });

  it('null optional attributes are accepted as the schema allowed', () => {
    expect(decodeEvent(wire({ ...base, subject: null, datacontenttype: null })).id).toBe('e1');
  });
});

describe('decodeEvent: malformed 1.0 events are refused naming the attribute', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['missing id', { ...base, id: undefined }, /required attribute id missing/],
    ['empty id', { ...base, id: '' }, /required attribute id missing/],
    ['numeric id', { ...base, id: 7 }, /required attribute id missing/],
    ['missing source', { ...base, source: undefined }, /required attribute source missing/],
    ['empty source', { ...base, source: '' }, /required attribute source missing/],
    ['source not a URI reference', { ...base, source: 'has space' }, /attribute source "has space" is not a URI reference/],
    ['missing type', { ...base, type: undefined }, /required attribute type missing/],
    ['empty type', { ...base, type: '' }, /required attribute type missing/],
    ['specversion 2.0', { ...base, specversion: '2.0' }, /specversion "2.0" is not supported/],
    ['specversion not a string', { ...base, specversion: 1 }, /required attribute specversion missing/],
    ['subject not a string', { ...base, subject: 5 }, /attribute subject is not a string/],
    ['empty subject', { ...base, subject: '' }, /attribute subject is empty/],
    ['datacontenttype not a string', { ...base, datacontenttype: {} }, /attribute datacontenttype is not a string/],
    ['dataschema not a URI', { ...base, dataschema: 'no-scheme' }, /attribute dataschema "no-scheme" is not a URI/],
    ['time not a string', { ...base, time: 1700000000 }, /attribute time is not a string/],
    ['time not RFC 3339', { ...base, time: 'yesterday' }, /attribute time "yesterday" is not an RFC 3339 date-time/],
    ['time without a zone', { ...base, time: '2026-01-02T03:04:05' }, /attribute time/],
    ['time on 30 February', { ...base, time: '2026-02-30T00:00:00Z' }, /attribute time/],
    ['time on 29 February of a common year', { ...base, time: '2025-02-29T00:00:00Z' }, /attribute time/],
    ['hour 24', { ...base, time: '2026-01-02T24:00:00Z' }, /attribute time/],
    ['data_base64 not a string', { ...base, data_base64: 12 }, /attribute data_base64 is not a string/],
    ['upper-case extension name', { ...base, myExt: 'x' }, /extension name "myExt"/],
    ['extension name with a dash', { ...base, 'my-ext': 'x' }, /extension name "my-ext"/],
    ['extension name over 20 characters', { ...base, a12345678901234567890: 'x' }, /extension name "a12345678901234567890"/],
    ['non-integer extension value', { ...base, ratio: 0.5 }, /extension ratio is not an integer/],
    ['schemaurl on 1.0', { ...base, schemaurl: 'https://x/s' }, /schemaurl/],
  ])('%s', (_name, attrs, message) => {
    const raw = wire(attrs);
    expect(() => decodeEvent(raw)).toThrow(BusDecodeError);
    expect(() => decodeEvent(raw)).toThrow(message);
  });
});

describe('isRfc3339DateTime', () => {
  it('checks the day against the month', () => {
    expect(isRfc3339DateTime('2026-04-30T00:00:00Z')).toBe(true);
    expect(isRfc3339DateTime('2026-04-31T00:00:00Z')).toBe(false);
    expect(isRfc3339DateTime('2000-02-29T00:00:00Z')).toBe(true);
    expect(isRfc3339DateTime('1900-02-29T00:00:00Z')).toBe(false);
  });
});
