import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { busEmitter } from '../../../../adapter/bus/emitter.js';
import { BusPublishError } from '../../../../adapter/bus/errors.js';
import { encodeEvent } from '../../../../adapter/bus/wire.js';
import type { Bus } from '../../../../adapter/bus/types.js';
import { DeliveryError } from '../../../../adapter/runtime/errors.js';

/** A pure stand-in for the seam: the real backends have their own integration tests. */
function fakeBus(fail = false): Bus & { published: string[]; wires: (Buffer | undefined)[] } {
  const published: string[] = [];
  const wires: (Buffer | undefined)[] = [];
  return {
    backend: 'redis',
    published,
    wires,
    async publish(topic, event, wire) {
      if (fail) throw new Error('connection lost');
      published.push(`${topic}/${event.id}`);
      wires.push(wire);
    },
    consume: () => Promise.reject(new Error('not used')),
    close: async () => undefined,
  };
}

describe('busEmitter', () => {
  it('resolves published once the bus took the event', async () => {
    const bus = fakeBus();
    const out = await busEmitter(bus, 'ns-src').emit(new CloudEvent<unknown>({ id: '1', source: '/s', type: 't', data: 'x' }));
    expect(out).toEqual({ kind: 'published' });
    expect(bus.published).toEqual(['ns-src/1']);
  });

  it('hands the bus the bytes it encoded for the size check, so the event is encoded once', async () => {
    const bus = fakeBus();
    const event = new CloudEvent<unknown>({ id: '2', source: '/s', type: 't', datacontenttype: 'application/json', data: { a: 'é' } });
    await busEmitter(bus, 'ns-src').emit(event);
    expect(bus.wires).toHaveLength(1);
    expect(bus.wires[0]?.equals(encodeEvent(event))).toBe(true);
  });

  it('refuses an event over the size limit as a non-retryable too-large DeliveryError, without publishing', async () => {
    const bus = fakeBus();
    const big = new CloudEvent<unknown>({ id: 'big', source: '/s', type: 't', data: new Uint8Array(2000) });
    const err = await busEmitter(bus, 't', 1000).emit(big).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).kind).toBe('too-large');
    expect((err as DeliveryError).retryable).toBe(false);
    expect(String((err as Error).message)).toMatch(/over the event bus limit of 1000 bytes/);
    expect(bus.published).toEqual([]);
  });

  it('a failed publish rejects with a BusPublishError naming the topic (retryable: the caller keeps its position)', async () => {
    const err = await busEmitter(fakeBus(true), 'ns-src').emit(new CloudEvent<unknown>({ id: '9', source: '/s', type: 't' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusPublishError);
    expect(String((err as Error).message)).toMatch(/event 9 to redis bus topic ns-src failed: connection lost/);
  });
});
