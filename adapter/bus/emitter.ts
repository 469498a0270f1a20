/**
 * The bus path of a source: an Emitter whose `emit` publishes to the source's bus topic and resolves
 * only after the backend acknowledged the write, so the source commits its position only then.
 */
import type { CloudEvent } from 'cloudevents';
import type { Emitter, EmitOutcome } from '../runtime/emitter.js';
import { BusPublishError } from './errors.js';
import { type BusDeps, createBus } from './create.js';
import type { Bus, BusTopicConfig } from './types.js';

export async function createBusEmitter(cfg: BusTopicConfig, deps: BusDeps = {}): Promise<Emitter> {
  const bus = await createBus(cfg, deps);
  return busEmitter(bus, cfg.topic);
}

/** Separate from createBusEmitter so a test (or a caller holding a bus already) can wrap an existing Bus. */
export function busEmitter(bus: Bus, topic: string): Emitter {
  return {
    async emit(event: CloudEvent<unknown>): Promise<EmitOutcome> {
      try {
        await bus.publish(topic, event);
      } catch (err) {
        throw err instanceof BusPublishError ? err : new BusPublishError(bus.backend, topic, event.id, err);
      }
      return { kind: 'published' };
    },
    close: () => bus.close(),
  };
}
