import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { busEmitter } from '../../../../adapter/bus/emitter.js';
import { BusPublishError } from '../../../../adapter/bus/errors.js';
import type { Bus } from '../../../../adapter/bus/types.js';
import { DeliveryError } from '../../../../adapter/runtime/errors.js';

/** A pure stand-in for the seam: the real backends have their own integration tests. */
function fakeBus(fail = false): Bus & { published: string[] } {
  const published: string[] = [];
  return {
    backend: 'redis',
    published,
    async publish(topic, event) {
      if (fail) throw new Error('connection lost');
      published.push(`${topic}/${event.id}`);
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
