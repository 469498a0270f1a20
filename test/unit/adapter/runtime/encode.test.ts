import { CloudEvent, HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { encodeEvent, headerSafe } from '../../../../adapter/runtime/encode.js';
import { applyOverrides } from '../../../../adapter/runtime/overrides.js';

const base = { id: 'id-1', source: '/s', type: 't.x', time: '2026-01-01T00:00:00.000Z' };

describe('applyOverrides', () => {
  it('adds extensions and replaces same-named ones, leaving the original untouched', () => {
    const event = new CloudEvent({ ...base, team: 'old', data: { a: 1 } });
    const out = applyOverrides(event, { team: 'payments', env: 'prod' });
    expect(out).not.toBe(event);
    expect((out as unknown as Record<string, unknown>).team).toBe('payments');
    expect((out as unknown as Record<string, unknown>).env).toBe('prod');
    expect((event as unknown as Record<string, unknown>).team).toBe('old');
    expect(out.id).toBe('id-1');
    expect(out.data).toEqual({ a: 1 });
  });
  it('returns the same event without overrides', () => {
    const event = new CloudEvent(base);
    expect(applyOverrides(event, {})).toBe(event);
  });
});

describe('encodeEvent', () => {
  it('binary mode puts attributes in ce- headers and JSON data in the body', () => {
    const { headers, body } = encodeEvent(new CloudEvent({ ...base, datacontenttype: 'application/json', data: { a: 1 }, team: 'p' }));
    expect(headers['ce-id']).toBe('id-1');
    expect(headers['ce-source']).toBe('/s');
    expect(headers['ce-type']).toBe('t.x');
    expect(headers['ce-specversion']).toBe('1.0');
    expect(headers['ce-time']).toBe('2026-01-01T00:00:00.000Z');
    expect(headers['ce-team']).toBe('p');
    expect(headers['content-type']).toBe('application/json');
    expect(Buffer.from(body).toString()).toBe('{"a":1}');
  });

  it('binary mode sends bytes as they are', () => {
    const bytes = new Uint8Array([0xff, 0x00, 0xfe]);
    const { headers, body } = encodeEvent(new CloudEvent({ ...base, datacontenttype: 'application/octet-stream', data: bytes }));
    expect(headers['content-type']).toBe('application/octet-stream');
    expect([...body]).toEqual([0xff, 0x00, 0xfe]);
  });

  it('structured mode puts the whole event in a JSON body', () => {
    const { headers, body } = encodeEvent(new CloudEvent({ ...base, data: 'hi', datacontenttype: 'text/plain' }), 'structured');
    expect(headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(headers['ce-id']).toBeUndefined();
    const parsed = JSON.parse(Buffer.from(body).toString());
    expect(parsed).toMatchObject({ id: 'id-1', source: '/s', type: 't.x', specversion: '1.0', data: 'hi' });
  });

  it('propagates traceparent as its own header', () => {
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const { headers } = encodeEvent(new CloudEvent({ ...base, traceparent: tp, tracestate: 'k=v' }));
    expect(headers.traceparent).toBe(tp);
    expect(headers.tracestate).toBe('k=v');
    expect(headers['ce-traceparent']).toBe(tp);
  });

  it('percent-encodes header values that are not visible ASCII', () => {
    const { headers } = encodeEvent(new CloudEvent({ ...base, subject: 'café' }));
    expect(headers['ce-subject']).toBe('caf%C3%A9');
  });
});

/** The mapping before the hand-written binary encoder: the SDK's serializer plus the same wire-safe values. */
function sdkBinary(event: CloudEvent<unknown>): { headers: Record<string, string>; body: Uint8Array } {
  const message = HTTP.binary(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value === undefined || value === null) continue;
    headers[name.toLowerCase()] = headerSafe(String(value));
  }
  const ext = event as unknown as Record<string, unknown>;
  if (typeof ext.traceparent === 'string') headers.traceparent = headerSafe(ext.traceparent);
  if (typeof ext.tracestate === 'string') headers.tracestate = headerSafe(ext.tracestate);
  const b = message.body;
  const body =
    b === undefined || b === null
      ? new Uint8Array(0)
      : b instanceof Uint8Array
        ? b
        : Buffer.from(typeof b === 'string' ? b : JSON.stringify(b), 'utf8');
  return { headers, body };
}

describe('encodeEvent binary mode matches the SDK serializer (golden cases)', () => {
  const cases: [string, CloudEvent<unknown>][] = [
    ['JSON object data', new CloudEvent({ ...base, datacontenttype: 'application/json', data: { a: 1, s: 'é"\n' } })],
    ['no datacontenttype (SDK default content-type)', new CloudEvent({ ...base, data: { a: [1, 2] } })],
    ['binary data', new CloudEvent({ ...base, datacontenttype: 'application/octet-stream', data: new Uint8Array([0, 0xff, 0x80]) })],
    ['text data', new CloudEvent({ ...base, datacontenttype: 'text/plain; charset=utf-8', data: 'héllo\u0000 wörld' })],
    ['JSON text data (never re-encoded)', new CloudEvent({ ...base, datacontenttype: 'application/json', data: '{"n": 1.0}' })],
    ['number and boolean data', new CloudEvent({ ...base, data: 42 })],
    ['null data', new CloudEvent({ ...base, data: null }, false)],
    ['no data', new CloudEvent({ ...base, subject: 'partition:0#1', dataschema: 'https://example.com/s' })],
    ['non-ASCII extension values', new CloudEvent({ ...base, key: 'ключ', emoji: '🙂 ok', tab: 'a\tb', pct: '100%' })],
    ['number and boolean extensions', new CloudEvent({ ...base, count: 3, flag: true })],
    ['time not in canonical form', new CloudEvent({ ...base, time: '2026-01-01T01:00:00+01:00' })],
    ['trace context', new CloudEvent({ ...base, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'k=v,é=1' })],
    [
      'overrides applied (clone)',
      applyOverrides(new CloudEvent({ ...base, team: 'old', datacontenttype: 'application/json', data: { x: 1 } }), { team: 'payments', env: 'prod' }),
    ],
    [
      'dead-letter extensions (clone with a number)',
      new CloudEvent({ ...base, data: 'x' }).cloneWith({ knativeerrordest: 'http://sink/', knativeerrorcode: 500, headwatererror: 'HTTP 500 — nope' }, false),
    ],
  ];
  for (const [name, event] of cases) {
    it(name, () => {
      const got = encodeEvent(event);
      const want = sdkBinary(event);
      expect(got.headers).toEqual(want.headers);
      expect(Buffer.from(got.body).equals(Buffer.from(want.body))).toBe(true);
    });
  }

  it('spells out one case: headers and body of a Kafka-like event', () => {
    const event = new CloudEvent({
      ...base,
      subject: 'partition:3#42',
      datacontenttype: 'application/json',
      data: new Uint8Array(Buffer.from('{"k":"v"}')),
      key: 'café',
    });
    const { headers, body } = encodeEvent(event);
    expect(headers).toEqual({
      'content-type': 'application/json',
      'ce-id': 'id-1',
      'ce-source': '/s',
      'ce-type': 't.x',
      'ce-specversion': '1.0',
      'ce-time': '2026-01-01T00:00:00.000Z',
      'ce-subject': 'partition:3#42',
      'ce-key': 'caf%C3%A9',
    });
    expect(Buffer.from(body).toString()).toBe('{"k":"v"}');
  });
});
