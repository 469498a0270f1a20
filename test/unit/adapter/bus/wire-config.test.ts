import { CloudEvent } from 'cloudevents';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../lib/errors.js';
import { parseBusConfig, parseBusTopicConfig } from '../../../../adapter/bus/config.js';
import { BusDecodeError } from '../../../../adapter/bus/errors.js';
import { decodeEvent, encodeEvent } from '../../../../adapter/bus/wire.js';

describe('bus wire format (structured JSON)', () => {
  it('carries binary data byte for byte via data_base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const e = new CloudEvent<unknown>({ id: 'x', source: '/s', type: 't', datacontenttype: 'application/octet-stream', data: bytes });
        const wire = encodeEvent(e);
        expect(JSON.parse(wire.toString('utf8')).data_base64).toBe(Buffer.from(bytes).toString('base64'));
        const back = decodeEvent(wire);
        expect(Buffer.from(back.data as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('carries JSON text as the JSON value it holds when that loses nothing, else its exact bytes', () => {
    const base = { id: 'j1', source: '/s', type: 't' };
    const wire = (data: string, datacontenttype: string) =>
      JSON.parse(encodeEvent(new CloudEvent<unknown>({ ...base, datacontenttype, data })).toString());
    expect(wire('{ "n": 1,\n "s": "a b" }', 'application/json').data).toEqual({ n: 1, s: 'a b' });
    for (const lossy of ['{"n":12345678901234567890}', '{"n":1.0}', '"\\u00e9"', '{oops']) {
      const w = wire(lossy, 'application/json');
      expect(w.data).toBeUndefined();
      expect(Buffer.from(w.data_base64, 'base64').toString('utf8')).toBe(lossy);
      expect(Buffer.from(decodeEvent(Buffer.from(JSON.stringify(w))).data as Uint8Array).toString('utf8')).toBe(lossy);
    }
    expect(wire('{"n":1}', 'text/plain').data).toBe('{"n":1}');
  });

  it('keeps JSON data, attributes and extensions', () => {
    const e = new CloudEvent<unknown>({
      id: 'a-1',
      source: '/apis/v1/namespaces/ns/kafkasources/k#t',
      type: 'dev.headwater.kafka.record',
      subject: 'partition:0#1',
      time: '2026-01-02T03:04:05.123456Z',
      datacontenttype: 'application/json',
      data: { n: 1, s: 'ü' },
      partitionkey: 'k1',
    });
    const back = decodeEvent(encodeEvent(e));
    expect(back.id).toBe('a-1');
    expect(back.subject).toBe('partition:0#1');
    expect(back.time).toBe('2026-01-02T03:04:05.123456Z');
    expect(back.data).toEqual({ n: 1, s: 'ü' });
    expect((back as unknown as Record<string, unknown>).partitionkey).toBe('k1');
  });

  it.each([
    [Buffer.from('not json'), /invalid JSON/],
    [Buffer.from('[1,2]'), /not a JSON object/],
    [Buffer.from('{"id":"1","source":"/s","specversion":"1.0"}'), /type missing/],
    [Buffer.from([0xff, 0xfe, 0x00]), /invalid JSON/],
  ])('rejects a foreign message with a reason', (raw, message) => {
    expect(() => decodeEvent(raw)).toThrow(BusDecodeError);
    expect(() => decodeEvent(raw)).toThrow(message);
  });
});

describe('bus config', () => {
  it('takes secrets from their own variables', () => {
    expect(parseBusConfig({ backend: 'redis', redis: { address: 'r:6379' } }, 'V', { BUS_REDIS_PASSWORD: 'pw' })).toEqual({
      backend: 'redis',
      redis: { address: 'r:6379', password: 'pw' },
    });
    expect(parseBusConfig({ backend: 'nats', nats: { url: 'nats://n', stream: 'bus1' } }, 'V', {})).toEqual({
      backend: 'nats',
      nats: { url: 'nats://n', stream: 'bus1' },
    });
  });

  it('parses K_EVENT_BUS_CONFIG with its topic', () => {
    const cfg = parseBusTopicConfig({ backend: 'kafka', topic: 'ns-src', kafka: { bootstrapServers: ['k:9092'] } }, 'K_EVENT_BUS_CONFIG', {});
    expect(cfg).toEqual({ backend: 'kafka', topic: 'ns-src', kafka: { bootstrapServers: ['k:9092'] } });
  });

  it.each<[unknown, RegExp]>([
    [{ backend: 'kafka', topic: 'ns-src', kafka: { bootstrapServers: [] } }, /bootstrapServers must be a non-empty array/],
    [{ backend: 'nats', topic: 'ns src', nats: { url: 'nats://n' } }, /config\.topic must match/],
    [{ backend: 'nats', topic: 't', nats: { url: 'nats://n', stream: 'a.b' } }, /not a valid JetStream stream name/],
    [{ backend: 'nats', topic: 't', nats: {} }, /config\.nats\.url must be a non-empty string/],
  ])('rejects %j naming the field', (raw, message) => {
    expect(() => parseBusTopicConfig(raw, 'K_EVENT_BUS_CONFIG', {})).toThrow(ConfigError);
    expect(() => parseBusTopicConfig(raw, 'K_EVENT_BUS_CONFIG', {})).toThrow(message);
  });
});
