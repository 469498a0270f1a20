/**
 * The bus path of a source: an Emitter whose `emit` publishes to the source's bus topic and resolves
 * only after the backend acknowledged the write, so the source commits its position only then.
 */
import type { CloudEvent } from 'cloudevents';
import type { Emitter, EmitOutcome } from '../runtime/emitter.js';
import { DeliveryError } from '../runtime/errors.js';
import { type BusDeps, createBus } from './create.js';
import { BusPublishError } from './errors.js';
import type { Bus, BusTopicConfig } from './types.js';
import { encodeEvent } from './wire.js';

/**
 * Largest structured event put on a bus. NATS' default max_payload and Kafka's default message.max.bytes are
 * both about 1 MiB; a bigger event would fail on every retry, so it is refused up front as not retryable.
 */
export const defaultBusMaxEventBytes = 1024 * 1024;

export interface BusEmitterOptions extends BusDeps {
  maxEventBytes?: number;
}

export async function createBusEmitter(cfg: BusTopicConfig, opts: BusEmitterOptions = {}): Promise<Emitter> {
  const bus = await createBus(cfg, opts);
  return busEmitter(bus, cfg.topic, opts.maxEventBytes);
}

/** Separate from createBusEmitter so a test (or a caller holding a bus already) can wrap an existing Bus. */
export function busEmitter(bus: Bus, topic: string, maxEventBytes = defaultBusMaxEventBytes): Emitter {
  return {
    async emit(event: CloudEvent<unknown>): Promise<EmitOutcome> {
      // Encoded once: the size check and the publish use the same bytes.
      const wire = encodeEvent(event);
      const size = wire.byteLength;
      if (size > maxEventBytes) {
        throw new DeliveryError(
          'too-large',
          `event ${event.id} is ${size} bytes as structured JSON, over the event bus limit of ${maxEventBytes} bytes; not published`,
          { eventId: event.id, target: `${bus.backend}:${topic}`, attempts: 0, retryable: false },
        );
      }
      try {
        await bus.publish(topic, event, wire);
      } catch (err) {
        throw err instanceof BusPublishError ? err : new BusPublishError(bus.backend, topic, event.id, err);
      }
      return { kind: 'published' };
    },
    close: () => bus.close(),
  };
}
