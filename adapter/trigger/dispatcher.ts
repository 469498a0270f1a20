/**
 * The Trigger dispatcher: a durable consumer of every input topic; per event it applies the filters, updates
 * the condition windows, sends the event to the subscribers it goes to (sink with DeliverySpec and dead-letter
 * sink, or a republish to a bus topic), and only after all of them succeeded lets the bus acknowledge it.
 *
 * A redelivered event (some subscriber failed) is not judged again: the subscribers it still owes are
 * remembered, so a condition that reset on the first pass cannot swallow it, and subscribers that already
 * got it are not sent it twice.
 */
import type { CloudEvent } from 'cloudevents';
import { HeadwaterError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { Bus, Subscription } from '../bus/types.js';
import type { TriggerConfig, TriggerSubscriber } from './config.js';
import { matchesFilters } from './filters.js';
import { ConditionWindows } from './windows.js';

export class DispatchError extends HeadwaterError {
  constructor(eventId: string, failed: number[], causes: unknown[]) {
    super(
      'DispatchError',
      `event ${eventId} not yet safe for subscriber(s) ${failed.join(', ')}; the bus will redeliver it`,
      { eventId, subscribers: failed },
      { cause: causes[0] },
    );
  }
}

/** Sends one event to one subscriber; resolves when it is safe there, rejects otherwise. */
export type SendToSubscriber = (sub: TriggerSubscriber, event: CloudEvent<unknown>) => Promise<void>;

export interface DispatcherDeps {
  bus: Bus;
  /** Durable consumer name, stable per Trigger. */
  durable: string;
  send: SendToSubscriber;
  log: Logger;
  /** A failure that retrying cannot fix (e.g. 400 without a dead-letter sink): logged, counted, and the event acked. */
  isPermanent?: (err: unknown) => boolean;
  onReceived?: () => void;
  onPermanentFailure?: () => void;
  /** Handler calls in flight per input topic. */
  concurrency?: number;
}

export interface Dispatcher {
  /** Handle one event from `topic` (exported for tests; the subscriptions call it). Resolve = ack. */
  handle(topic: string, event: CloudEvent<unknown>): Promise<void>;
  close(): Promise<void>;
  readonly done: Promise<void>;
}

/** Bound on remembered pending decisions: a redelivery that never comes must not grow memory forever. */
const maxPendingDecisions = 100_000;

export function createDispatcher(cfg: TriggerConfig, deps: Omit<DispatcherDeps, 'bus' | 'durable'>): Omit<Dispatcher, 'close' | 'done'> {
  const windows = new ConditionWindows(cfg.subscribers.map((s) => s.condition?.evaluate));
  const inputsByTopic = new Map<string, string[]>();
  for (const input of cfg.inputs) inputsByTopic.set(input.topic, [...(inputsByTopic.get(input.topic) ?? []), input.name]);
  const owed = new Map<string, Set<number>>();
  const isPermanent = deps.isPermanent ?? (() => false);

  return {
    async handle(topic, event) {
      deps.onReceived?.();
      const key = `${topic}\u0000${event.source}\u0000${event.id}`;
      let remaining = owed.get(key);
      if (remaining === undefined) {
        if (!matchesFilters(cfg.filters, event)) {
          deps.log.debug('event filtered out', { id: event.id, type: event.type, topic });
          return;
        }
        const targets = windows.observe(inputsByTopic.get(topic) ?? []);
        if (targets.length === 0) return;
        remaining = new Set(targets);
        if (owed.size >= maxPendingDecisions) {
          const oldest = owed.keys().next().value;
          if (oldest !== undefined) owed.delete(oldest);
        }
        owed.set(key, remaining);
      }
      const pending = remaining;
      const failed: number[] = [];
      const causes: unknown[] = [];
      const settle = async (i: number): Promise<void> => {
        const sub = cfg.subscribers[i]!;
        try {
          await deps.send(sub, event);
          pending.delete(i);
        } catch (err) {
          if (isPermanent(err)) {
            deps.log.error('event rejected by subscriber and no dead-letter sink took it; dropped for this subscriber', {
              id: event.id,
              subscriber: i,
              err,
            });
            deps.onPermanentFailure?.();
            pending.delete(i);
            return;
          }
          failed.push(i);
          causes.push(err);
        }
      };
      // One subscriber (the common case) without the array and Promise.all of the general case.
      if (pending.size === 1) await settle(pending.values().next().value as number);
      else await Promise.all(Array.from(pending, settle));
      if (pending.size === 0) {
        owed.delete(key);
        return;
      }
      throw new DispatchError(event.id, failed.sort(), causes);
    },
  };
}

export async function startDispatcher(cfg: TriggerConfig, deps: DispatcherDeps): Promise<Dispatcher> {
  const core = createDispatcher(cfg, deps);
  const topics = [...new Set(cfg.inputs.map((i) => i.topic))];
  const subs: Subscription[] = [];
  try {
    for (const topic of topics) {
      subs.push(
        await deps.bus.consume(topic, deps.durable, (event) => core.handle(topic, event), {
          concurrency: deps.concurrency ?? 16,
          onUndecodable: (raw, reason) => {
            deps.log.error('bus message on an input topic is not a CloudEvent; acknowledged and skipped', { topic, reason, bytes: raw.byteLength });
          },
        }),
      );
    }
  } catch (err) {
    await Promise.allSettled(subs.map((s) => s.close()));
    throw err;
  }
  return {
    handle: core.handle,
    done: Promise.all(subs.map((s) => s.done)).then(() => undefined),
    close: async () => {
      await Promise.all(subs.map((s) => s.close()));
    },
  };
}
