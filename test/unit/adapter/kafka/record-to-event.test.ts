import type { KafkaMessage } from 'kafkajs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ContiguousPrefix } from '../../../../adapter/kafka/commit-tracker.js';
import { kafkaEventType, recordToEvent } from '../../../../adapter/kafka/record-to-event.js';

const owner = { namespace: 'ns', name: 'orders' };

function msg(partial: Partial<KafkaMessage> & { value: Buffer | null }): KafkaMessage {
  return { key: null, timestamp: '1764000000000', attributes: 0, offset: '42', headers: {}, ...partial } as KafkaMessage;
}

describe('recordToEvent', () => {
  it('sets the deterministic attributes', () => {
    const { event } = recordToEvent({ topic: 't1', partition: 3, message: msg({ value: Buffer.from('{"a":1}') }) }, owner);
    expect(event.id).toBe('t1-3-42');
    expect(event.type).toBe(kafkaEventType);
    expect(event.source).toBe('/apis/v1/namespaces/ns/kafkasources/orders#t1');
    expect(event.subject).toBe('partition:3#42');
    expect(event.time).toBe(new Date(1764000000000).toISOString());
    expect(event.datacontenttype).toBe('application/json');
  });

  it('never changes a byte of the value, whatever it is', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const value = Buffer.from(bytes);
        const { event } = recordToEvent({ topic: 't', partition: 0, message: msg({ value }) }, owner);
        expect(Buffer.from(event.data as Uint8Array).equals(value)).toBe(true);
      }),
    );
  });

  it('chooses datacontenttype: header, else JSON when it parses, else octet-stream', () => {
    const ct = (value: Buffer, headers = {}): string | undefined =>
      recordToEvent({ topic: 't', partition: 0, message: msg({ value, headers }) }, owner).event.datacontenttype;
    expect(ct(Buffer.from('hello'), { 'Content-Type': 'text/plain' })).toBe('text/plain');
    expect(ct(Buffer.from('[1, 2]'))).toBe('application/json');
    expect(ct(Buffer.from('12345678901234567890'))).toBe('application/json');
    expect(ct(Buffer.from('hello'))).toBe('application/octet-stream');
    expect(ct(Buffer.from([0xc3, 0x28]))).toBe('application/octet-stream');
  });

  it('an empty content-type header is treated as absent and reported', () => {
    const { event, skipped } = recordToEvent({ topic: 't', partition: 0, message: msg({ value: Buffer.from('{}'), headers: { 'content-type': '' } }) }, owner);
    expect(event.datacontenttype).toBe('application/json');
    expect(skipped).toEqual([{ header: 'content-type', reason: 'content-type is empty' }]);
  });

  it('headers named after CloudEvents attributes the SDK refuses (schemaurl) are skipped, not fatal', () => {
    const headers = { schemaurl: 'http://x', datacontenttype: 'text/plain', trace: 'ok' };
    const { event, skipped } = recordToEvent({ topic: 't', partition: 0, message: msg({ value: Buffer.from('{}'), headers }) }, owner);
    expect(skipped.map((s) => s.header).sort()).toEqual(['datacontenttype', 'schemaurl']);
    expect((event as unknown as Record<string, unknown>).trace).toBe('ok');
    expect(event.datacontenttype).toBe('application/json');
  });

  it('builds events that pass the SDK strict validation, whatever the key, headers and value', () => {
    const headerName = fc.stringMatching(/^[A-Za-z0-9-]{1,24}$/);
    fc.assert(
      fc.property(
        fc.option(fc.uint8Array({ maxLength: 40 }), { nil: null }),
        fc.dictionary(headerName, fc.oneof(fc.string({ maxLength: 20 }), fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b)))),
        fc.option(fc.uint8Array({ maxLength: 100 }), { nil: null }),
        (key, headers, value) => {
          const { event } = recordToEvent(
            { topic: 'orders.v1', partition: 7, message: msg({ key: key === null ? null : Buffer.from(key), headers, value: value === null ? null : Buffer.from(value) }) },
            owner,
          );
          expect(event.validate()).toBe(true);
        },
      ),
    );
  });

  it('an invalid source still fails every event with the SDK validation error', () => {
    const bad = { namespace: 'ns', name: 'has space' };
    expect(() => recordToEvent({ topic: 't', partition: 0, message: msg({ value: Buffer.from('1') }) }, bad)).toThrow(/invalid payload/);
    expect(() => recordToEvent({ topic: 't', partition: 0, message: msg({ value: Buffer.from('2') }) }, bad)).toThrow(/invalid payload/);
  });

  it('a tombstone has no data', () => {
    const { event } = recordToEvent({ topic: 't', partition: 0, message: msg({ value: null }) }, owner);
    expect(event.data).toBeUndefined();
  });

  it('carries the key as key/partitionkey, base64 when not printable', () => {
    const text = recordToEvent({ topic: 't', partition: 0, message: msg({ value: null, key: Buffer.from('user-7') }) }, owner).event as unknown as Record<string, unknown>;
    expect(text.key).toBe('user-7');
    expect(text.partitionkey).toBe('user-7');
    expect(text.keyencoding).toBeUndefined();
    const bin = recordToEvent({ topic: 't', partition: 0, message: msg({ value: null, key: Buffer.from([0, 255, 1]) }) }, owner).event as unknown as Record<string, unknown>;
    expect(bin.key).toBe('AP8B');
    expect(bin.keyencoding).toBe('base64');
  });

  it('maps valid headers to extensions and reports the others', () => {
    const { event, skipped } = recordToEvent(
      {
        topic: 't',
        partition: 0,
        message: msg({
          value: Buffer.from('x'),
          headers: {
            TraceParent: '00-abc-def-01',
            tenant: [Buffer.from('a'), 'b'],
            'x-request-id': 'r1',
            id: 'spoof',
            binary: Buffer.from([0xff]),
            waytoolongheadername123: 'v',
          },
        }),
      },
      owner,
    );
    const ext = event as unknown as Record<string, unknown>;
    expect(ext.traceparent).toBe('00-abc-def-01');
    expect(ext.tenant).toBe('a,b');
    expect(event.id).toBe('t-0-42');
    expect(skipped.map((s) => s.header).sort()).toEqual(['binary', 'id', 'waytoolongheadername123', 'x-request-id']);
  });
});

describe('ContiguousPrefix', () => {
  it('never resolves past an undelivered record', () => {
    const t = new ContiguousPrefix(['10', '11', '12', '13']);
    expect(t.markDone(1)).toBeUndefined();
    expect(t.markDone(3)).toBeUndefined();
    expect(t.committable).toBeUndefined();
    expect(t.markDone(0)).toBe('11');
    expect(t.markDone(2)).toBe('13');
    expect(t.complete).toBe(true);
  });

  it('for any completion order the committable offset is the longest delivered prefix', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()]))), ([n, order]) => {
        const offsets = Array.from({ length: n }, (_, i) => String(1000 + i));
        const t = new ContiguousPrefix(offsets);
        const done = new Set<number>();
        for (const i of order) {
          t.markDone(i);
          done.add(i);
          let prefix = 0;
          while (done.has(prefix)) prefix++;
          expect(t.committable).toBe(prefix === 0 ? undefined : offsets[prefix - 1]);
        }
      }),
    );
  });
});
