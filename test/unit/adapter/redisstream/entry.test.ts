import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../../lib/errors.js';
import { parseRedisStreamRoleConfig } from '../../../../adapter/redisstream/config.js';
import { redisOptions } from '../../../../adapter/redisstream/connection.js';
import { entryToEvent, redisStreamEventType } from '../../../../adapter/redisstream/entry-to-event.js';
import { parseAutoClaimReply, parseReadGroupReply, RedisReplyError } from '../../../../adapter/redisstream/stream-reply.js';

const b = (s: string): Buffer => Buffer.from(s);

describe('entryToEvent', () => {
  it('maps an entry with deterministic id, source and time', () => {
    const e = entryToEvent({ id: '1764000000000-3', fields: [[b('order'), b('{"n":1}')], [b('qty'), b('2')]] }, { namespace: 'ns', name: 'r', stream: 's1' });
    expect(e.id).toBe('1764000000000-3');
    expect(e.type).toBe(redisStreamEventType);
    expect(e.source).toBe('/apis/v1/namespaces/ns/redisstreamsources/r#s1');
    expect(e.time).toBe(new Date(1764000000000).toISOString());
    expect(e.datacontenttype).toBe('application/json');
    // Values stay strings, never parsed: '{"n":1}' is text here.
    expect(e.data).toEqual({ order: '{"n":1}', qty: '2' });
  });

  it('keeps non-UTF-8 bytes exactly and duplicate fields in order', () => {
    const raw = Buffer.from([0xff, 0x00, 0xc3]);
    const e = entryToEvent({ id: '1-0', fields: [[b('bin'), raw], [b('a'), b('1')], [b('a'), b('2')]] }, { namespace: 'ns', name: 'r', stream: 's' });
    const data = e.data as Record<string, unknown>;
    expect(Buffer.from((data.bin as { base64: string }).base64, 'base64').equals(raw)).toBe(true);
    expect(data.a).toEqual(['1', '2']);
  });
});

describe('stream reply parsing', () => {
  it('parses XREADGROUP and deleted entries', () => {
    const reply = [[b('s'), [[b('1-0'), [b('f'), b('v')]], [b('2-0'), null]]]];
    expect(parseReadGroupReply(reply)).toEqual([
      { id: '1-0', fields: [[b('f'), b('v')]] },
      { id: '2-0', fields: null },
    ]);
    expect(parseReadGroupReply(null)).toEqual([]);
  });

  it('parses XAUTOCLAIM', () => {
    expect(parseAutoClaimReply([b('0-0'), [[b('5-0'), [b('f'), b('v')]]], [b('4-0')]])).toEqual({
      cursor: '0-0',
      entries: [{ id: '5-0', fields: [[b('f'), b('v')]] }],
      deleted: ['4-0'],
    });
  });

  it('refuses shapes it does not understand instead of skipping entries', () => {
    expect(() => parseReadGroupReply([[b('s'), [[b('1-0'), [b('odd')]]]]])).toThrow(RedisReplyError);
    expect(() => parseAutoClaimReply('OK')).toThrow(/XAUTOCLAIM/);
  });
});

describe('redisstream config', () => {
  const base = { namespace: 'ns', name: 'r', secrets: { REDIS_PASSWORD: 'pw' } };
  it('defaults the group and names consumers after the pod', () => {
    const c = parseRedisStreamRoleConfig({ ...base, sourceConfig: { address: 'redis:6379', stream: 's', consumers: 3 } }, 'pod-abc');
    expect(c.group).toBe('headwater-redisstreamsource-ns-r');
    expect(c.consumerNames).toEqual(['pod-abc-0', 'pod-abc-1', 'pod-abc-2']);
    expect(c.connection).toEqual({ address: 'redis:6379', password: 'pw' });
  });

  it.each<[Record<string, unknown>, RegExp]>([
    [{ stream: 's' }, /address must be/],
    [{ address: 'r:1' }, /stream must be a non-empty string/],
    [{ address: 'r:1', stream: 's', consumers: 0 }, /consumers must be a whole number from 1 to 100/],
  ])('rejects %j', (sourceConfig, message) => {
    expect(() => parseRedisStreamRoleConfig({ ...base, sourceConfig }, 'p')).toThrow(ConfigError);
    expect(() => parseRedisStreamRoleConfig({ ...base, sourceConfig }, 'p')).toThrow(message);
  });

  it('reads addresses in both forms', () => {
    expect(redisOptions({ address: 'cache.ns.svc:6380' })).toMatchObject({ host: 'cache.ns.svc', port: 6380, protocol: 2 });
    expect(redisOptions({ address: 'rediss://u:p@h:7000/2' })).toMatchObject({ host: 'h', port: 7000, db: 2, username: 'u', password: 'p', tls: { servername: 'h' } });
    expect(() => redisOptions({ address: 'h:99999' })).toThrow(/out of range/);
  });
});
