import type { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { deferredEmitter, deferredHttpPool } from '../../../../adapter/runtime/deferred-output.js';
import type { EmitOutcome, Emitter } from '../../../../adapter/runtime/emitter.js';
import { DeliveryError } from '../../../../adapter/runtime/errors.js';
import type { HttpPool } from '../../../../adapter/runtime/http-pool.js';

const ev = (id: string) => ({ id }) as CloudEvent<unknown>;

function recordingEmitter(log: string[]): Emitter {
  return {
    emit: async (e): Promise<EmitOutcome> => {
      log.push(`emit ${e.id}`);
      return { kind: 'delivered', attempts: 1 };
    },
    close: async () => {
      log.push('close');
    },
  };
}

describe('deferredEmitter', () => {
  it('builds nothing until the first emit, then sends every event in order through one emitter', async () => {
    const log: string[] = [];
    let builds = 0;
    const em = deferredEmitter(async () => {
      builds++;
      return recordingEmitter(log);
    });
    expect(builds).toBe(0);
    const sent = await Promise.all([em.emit(ev('a')), em.emit(ev('b')), em.emit(ev('c'))]);
    expect(builds).toBe(1);
    expect(sent).toEqual([{ kind: 'delivered', attempts: 1 }, { kind: 'delivered', attempts: 1 }, { kind: 'delivered', attempts: 1 }]);
    await em.emit(ev('d'));
    await em.close();
    expect(log).toEqual(['emit a', 'emit b', 'emit c', 'emit d', 'close']);
  });

  it('lets events waiting for the load reach the emitter before it closes, and refuses later ones', async () => {
    const log: string[] = [];
    const em = deferredEmitter(async () => recordingEmitter(log));
    const waiting = em.emit(ev('a'));
    await em.close();
    await expect(waiting).resolves.toEqual({ kind: 'delivered', attempts: 1 });
    expect(log).toEqual(['emit a', 'close']);
  });

  it('closed before anything was sent: builds nothing and rejects emits as shutting-down', async () => {
    let builds = 0;
    const em = deferredEmitter(async () => {
      builds++;
      return recordingEmitter([]);
    });
    await em.close();
    const err = await em.emit(ev('late')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).kind).toBe('shutting-down');
    expect(builds).toBe(0);
  });

  it('a failed build fails that emit and is tried again by the next one', async () => {
    let builds = 0;
    const em = deferredEmitter(async () => {
      builds++;
      if (builds === 1) throw new Error('cannot load');
      return recordingEmitter([]);
    });
    await expect(em.emit(ev('a'))).rejects.toThrow('cannot load');
    await expect(em.emit(ev('b'))).resolves.toEqual({ kind: 'delivered', attempts: 1 });
    expect(builds).toBe(2);
  });
});

describe('deferredHttpPool', () => {
  it('creates the pool once on load, refuses dispatchers before it, and closes only what was loaded', async () => {
    let creates = 0;
    let closes = 0;
    const inner: HttpPool = {
      dispatcherFor: () => ({}) as ReturnType<HttpPool['dispatcherFor']>,
      close: async () => {
        closes++;
      },
    };
    const pool = deferredHttpPool(async () => {
      creates++;
      return inner;
    });
    expect(() => pool.dispatcherFor()).toThrow(/before it was loaded/);
    await Promise.all([pool.load(), pool.load()]);
    expect(creates).toBe(1);
    expect(pool.dispatcherFor()).toBeDefined();
    await pool.close();
    expect(closes).toBe(1);

    const unused = deferredHttpPool(async () => {
      creates++;
      return inner;
    });
    await unused.close();
    expect(creates).toBe(1);
  });
});
