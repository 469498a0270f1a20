/**
 * Kafka backend: one Kafka topic per bus topic (`headwater.<topic>`), one consumer group per durable
 * subscriber and topic, records carrying the structured JSON event, keyed by the event's source so one source's
 * events stay in order on one partition. Consumption reuses the KafkaSource's batch consumer (offsets
 * committed only after the handler resolved).
 */
import type { CloudEvent } from 'cloudevents';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { createLogger, type Logger } from '../../lib/log.js';
import { type RunningConsumer, startBatchConsumer } from '../kafka/batch-consumer.js';
import { createKafkaClient, type KafkaSecretNames } from '../kafka/client.js';
import type { BusDeps } from './create.js';
import { BusConnectError, BusPublishError } from './errors.js';
import type { Bus, BusHandler, ConsumeOptions, KafkaBusConfig, Subscription } from './types.js';
import { decodeEvent, encodeEvent, structuredContentType } from './wire.js';

export function kafkaTopicFor(topic: string): string {
  return `headwater.${topic}`;
}

export function groupIdFor(durable: string, topic: string): string {
  return `${durable}.${topic}`;
}

class KafkaBus implements Bus {
  readonly backend = 'kafka' as const;
  readonly #kafka: Kafka;
  readonly #producer: Producer;
  readonly #admin: Admin;
  readonly #log: Logger;
  readonly #ensured = new Map<string, Promise<void>>();
  readonly #subs = new Set<Subscription>();

  constructor(kafka: Kafka, producer: Producer, admin: Admin, log: Logger) {
    this.#kafka = kafka;
    this.#producer = producer;
    this.#admin = admin;
    this.#log = log;
  }

  /** Explicit creation: a broker may have auto-creation off, and a consumer of a missing topic sees nothing. */
  #ensureTopic(topic: string): Promise<void> {
    let p = this.#ensured.get(topic);
    if (!p) {
      // Look first: kafkajs logs an already existing topic as an ERROR, which would alarm for nothing.
      p = this.#admin
        .listTopics()
        .then(async (existing) => {
          if (!existing.includes(topic)) await this.#admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
        })
        .catch((err: unknown) => {
          this.#ensured.delete(topic);
          throw err;
        });
      this.#ensured.set(topic, p);
    }
    return p;
  }

  async publish(topic: string, event: CloudEvent<unknown>, wire?: Buffer): Promise<void> {
    const kt = kafkaTopicFor(topic);
    try {
      await this.#ensureTopic(kt);
      await this.#producer.send({
        topic: kt,
        acks: -1,
        messages: [{ key: event.source, value: wire ?? encodeEvent(event), headers: { 'content-type': structuredContentType } }],
      });
    } catch (err) {
      throw new BusPublishError('kafka', topic, event.id, err);
    }
  }

  async consume(topic: string, durable: string, handler: BusHandler, opts: ConsumeOptions = {}): Promise<Subscription> {
    const kt = kafkaTopicFor(topic);
    const log = this.#log.child({ topic, durable });
    await this.#ensureTopic(kt);
    const onUndecodable = opts.onUndecodable ?? ((_raw: Uint8Array, reason: string) => log.error('undecodable bus record skipped', { reason }));
    const concurrency = Math.max(1, opts.concurrency ?? 1);
    const running: RunningConsumer = await startBatchConsumer({
      kafka: this.#kafka,
      // One group per (durable, topic): members of one kafkajs group must subscribe to the same topics, and a
      // Trigger runs one subscription per input topic.
      groupId: groupIdFor(durable, topic),
      topics: [kt],
      fromBeginning: opts.startAt !== 'latest',
      ordering: concurrency > 1 ? 'unordered' : 'ordered',
      concurrency,
      log,
      retryBaseMs: opts.redeliveryDelayMs ?? 1000,
      handle: async ({ message }) => {
        const raw = message.value ?? Buffer.alloc(0);
        let event: CloudEvent<unknown>;
        try {
          event = decodeEvent(raw);
        } catch (err) {
          await onUndecodable(raw, err instanceof Error ? err.message : String(err));
          return;
        }
        await handler(event);
      },
    });
    const sub: Subscription = {
      done: running.done,
      close: async () => {
        this.#subs.delete(sub);
        await running.stop();
      },
    };
    this.#subs.add(sub);
    return sub;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subs].map((s) => s.close()));
    await Promise.allSettled([this.#producer.disconnect(), this.#admin.disconnect()]);
  }
}

/** The refusal hints of a bus client name the bus's variables and the EventBus fields behind them. */
export const kafkaBusSecretNames: KafkaSecretNames = {
  saslUser: 'BUS_KAFKA_SASL_USER',
  saslPassword: 'BUS_KAFKA_SASL_PASSWORD',
  tlsCa: 'BUS_KAFKA_TLS_CA',
  tlsCert: 'BUS_KAFKA_TLS_CERT',
  tlsKey: 'BUS_KAFKA_TLS_KEY',
  net: 'spec.kafka.net',
};

export async function createKafkaBus(cfg: KafkaBusConfig, deps: BusDeps = {}): Promise<Bus> {
  const log = (deps.logger ?? createLogger()).child({ bus: 'kafka' });
  const kafka = createKafkaClient(cfg.bootstrapServers, 'headwater-bus', cfg.security ?? {}, log, kafkaBusSecretNames);
  // Idempotent producer: a retried send after a lost ack does not write the record twice.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  const admin = kafka.admin();
  try {
    await Promise.all([producer.connect(), admin.connect()]);
  } catch (err) {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    throw new BusConnectError('kafka', cfg.bootstrapServers.join(','), err);
  }
  return new KafkaBus(kafka, producer, admin, log);
}
