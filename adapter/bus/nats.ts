/**
 * NATS JetStream backend: one stream per bus (default `headwater`) owning the subjects `<stream>.>`, topic →
 * subject `<stream>.<topic>` (so `headwater.<topic>` by default, and two buses with different streams on one
 * server never overlap), one durable pull consumer per (durable, topic) with explicit acks. A message is
 * acked after the handler resolved, nak'ed with a delay when it rejected, and kept alive with `working()`
 * while a slow handler (sink retries) runs, so it is not redelivered under our feet.
 */
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  StorageType,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { CloudEvent } from 'cloudevents';
import { createLogger, type Logger } from '../../lib/log.js';
import type { BusDeps } from './create.js';
import { BusConnectError, BusPublishError } from './errors.js';
import { InFlight } from './inflight.js';
import { TurnAcks } from './turn-acks.js';
import type { Bus, BusHandler, ConsumeOptions, NatsBusConfig, Subscription } from './types.js';
import { decodeEvent, encodeEvent } from './wire.js';

const ackWaitMs = 20_000;
/** Well inside ackWaitMs so a handler that is still working never looks abandoned. */
const workingEveryMs = 5_000;
/** Re-publishes of the same event (a source restarted before it committed) collapse inside this window. */
const duplicateWindowMs = 2 * 60_000;

export function subjectFor(stream: string, topic: string): string {
  return `${stream}.${topic}`;
}

/** JetStream consumer names allow neither `.` nor whitespace, `*`, `>`; topics may contain dots. */
export function consumerNameFor(durable: string, topic: string): string {
  return `${durable}__${topic}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

const ms = (n: number): number => n * 1_000_000; // JetStream durations are nanoseconds

async function ensureStream(jsm: JetStreamManager, name: string): Promise<void> {
  try {
    await jsm.streams.info(name);
    return;
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound)) throw err;
  }
  try {
    await jsm.streams.add({
      name,
      subjects: [`${name}.>`],
      storage: StorageType.File,
      duplicate_window: ms(duplicateWindowMs),
    });
  } catch (err) {
    // Another adapter created it between our info and add: fine if it is there now.
    await jsm.streams.info(name).catch(() => {
      throw err;
    });
  }
}

async function ensureConsumer(jsm: JetStreamManager, stream: string, name: string, topic: string, startAt: 'earliest' | 'latest'): Promise<void> {
  try {
    await jsm.consumers.info(stream, name);
    return;
  } catch (err) {
    if (!(err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound)) throw err;
  }
  await jsm.consumers.add(stream, {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: startAt === 'latest' ? DeliverPolicy.New : DeliverPolicy.All,
    filter_subject: subjectFor(stream, topic),
    ack_wait: ms(ackWaitMs),
    max_deliver: -1,
  });
}

class NatsBus implements Bus {
  readonly backend = 'nats' as const;
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #stream: string;
  readonly #log: Logger;
  readonly #subs = new Set<Subscription>();

  constructor(nc: NatsConnection, js: JetStreamClient, jsm: JetStreamManager, stream: string, log: Logger) {
    this.#nc = nc;
    this.#js = js;
    this.#jsm = jsm;
    this.#stream = stream;
    this.#log = log;
  }

  async publish(topic: string, event: CloudEvent<unknown>, wire?: Buffer): Promise<void> {
    try {
      await this.#js.publish(subjectFor(this.#stream, topic), wire ?? encodeEvent(event), {
        // JetStream dedupes per stream, not per subject: the topic is part of the id so a Trigger republishing
        // an event to another topic is not taken for a duplicate of the original.
        msgID: `${topic}#${event.source}#${event.id}`,
        expect: { streamName: this.#stream },
      });
    } catch (err) {
      throw new BusPublishError('nats', topic, event.id, err);
    }
  }

  async consume(topic: string, durable: string, handler: BusHandler, opts: ConsumeOptions = {}): Promise<Subscription> {
    const name = consumerNameFor(durable, topic);
    await ensureConsumer(this.#jsm, this.#stream, name, topic, opts.startAt ?? 'earliest');
    const consumer = await this.#js.consumers.get(this.#stream, name);
    const concurrency = Math.max(1, opts.concurrency ?? 1);
    const messages = await consumer.consume({ max_messages: concurrency * 2 });
    const inflight = new InFlight(concurrency);
    const log = this.#log.child({ topic, durable: name });
    const redeliveryDelayMs = opts.redeliveryDelayMs ?? 1000;
    const onUndecodable = opts.onUndecodable ?? ((_raw: Uint8Array, reason: string) => log.error('undecodable bus message acknowledged', { reason }));

    const acks = new TurnAcks();
    // One timer for the subscription keeps every message in flight alive, instead of an interval per message.
    const working = new Set<JsMsg>();
    const keepAlive = setInterval(() => {
      for (const m of working) m.working();
    }, workingEveryMs);

    const handle = async (m: JsMsg): Promise<void> => {
      let event: CloudEvent<unknown>;
      try {
        event = decodeEvent(m.data);
      } catch (err) {
        try {
          await onUndecodable(m.data, err instanceof Error ? err.message : String(err));
          m.term('undecodable');
        } catch (cbErr) {
          log.error('undecodable message not recorded, will be redelivered', { err: cbErr });
          m.nak(redeliveryDelayMs);
        }
        return;
      }
      working.add(m);
      try {
        await handler(event);
        acks.ack(m);
      } catch (err) {
        log.warn('handler failed, message will be redelivered', { id: event.id, err, redeliveryCount: m.info.deliveryCount });
        m.nak(redeliveryDelayMs);
      } finally {
        working.delete(m);
      }
    };

    const done = (async () => {
      try {
        for await (const m of messages) await inflight.admit(() => handle(m));
        await inflight.drain();
      } finally {
        clearInterval(keepAlive);
        acks.flush();
      }
    })();
    done.catch(() => undefined); // observed through sub.done; avoid an unhandled rejection meanwhile

    const sub: Subscription = {
      done,
      close: async () => {
        this.#subs.delete(sub);
        await messages.close();
        await done.catch(() => undefined);
      },
    };
    this.#subs.add(sub);
    return sub;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subs].map((s) => s.close()));
    await this.#nc.drain().catch(() => this.#nc.close());
  }
}

export async function createNatsBus(cfg: NatsBusConfig, deps: BusDeps = {}): Promise<Bus> {
  const log = (deps.logger ?? createLogger()).child({ bus: 'nats' });
  const stream = cfg.stream ?? 'headwater';
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: cfg.url.split(',').map((s) => s.trim()),
      ...(cfg.token ? { token: cfg.token } : {}),
      maxReconnectAttempts: -1,
      name: 'headwater-adapter',
    });
  } catch (err) {
    throw new BusConnectError('nats', cfg.url, err);
  }
  try {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, stream);
    return new NatsBus(nc, jetstream(nc), jsm, stream, log);
  } catch (err) {
    await nc.close().catch(() => undefined);
    throw new BusConnectError('nats', `${cfg.url} stream ${stream}`, err);
  }
}
