import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { encodeEvent } from '../../../../adapter/runtime/encode.js';
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
