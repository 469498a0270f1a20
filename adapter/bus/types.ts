/**
 * The EventBus seam: one small interface, one implementation per backend (NATS JetStream, Redis Streams,
 * Kafka). Sources on the bus path publish to their topic; the Trigger dispatcher consumes topics durably.
 */
import type { CloudEvent } from 'cloudevents';
import type { KafkaSecurity } from '../kafka/client.js';

export type BusBackend = 'nats' | 'redis' | 'kafka';

export interface NatsBusConfig {
  url: string;
  /** JetStream stream holding every topic of this bus (subjects `headwater.<topic>`). */
  stream?: string;
  /** From BUS_NATS_TOKEN, never from the JSON. */
  token?: string;
}

export interface RedisBusConfig {
  address: string;
  /** From BUS_REDIS_PASSWORD, never from the JSON. */
  password?: string;
  /** `tls.enable` in the JSON or a `rediss://` address. */
  tls?: boolean;
  /** From BUS_REDIS_TLS_CA (PEM), when TLS is on. */
  tlsCa?: string;
}

export interface KafkaBusConfig {
  bootstrapServers: string[];
  /** SASL and TLS: mechanism and switches from the JSON (`net`), secrets from BUS_KAFKA_SASL_* / BUS_KAFKA_TLS_*. */
  security?: KafkaSecurity;
}

/** `K_EVENT_BUS_CONFIG` without `topic`, and `K_TRIGGER_CONFIG.bus`. */
export interface BusConfig {
  backend: BusBackend;
  nats?: NatsBusConfig;
  redis?: RedisBusConfig;
  kafka?: KafkaBusConfig;
}

/** `K_EVENT_BUS_CONFIG`: where a source publishes. */
export interface BusTopicConfig extends BusConfig {
  topic: string;
}

/** Resolving acknowledges the message; rejecting leaves it unacknowledged, so the bus delivers it again. */
export type BusHandler = (event: CloudEvent<unknown>) => Promise<void>;

export interface ConsumeOptions {
  /** Where a durable consumer that does not exist yet starts. Default `earliest`: nothing the bus kept is missed. */
  startAt?: 'earliest' | 'latest';
  /** Handler calls in flight at once for this subscription (default 1: in order). */
  concurrency?: number;
  /** Delay before a rejected message is offered again (default 1000 ms). */
  redeliveryDelayMs?: number;
  /**
   * Called when a message on the topic is not a CloudEvent this bus can decode. It is acknowledged after
   * this returns (it can never succeed), so the callback is the place to record it; default: an error log.
   */
  onUndecodable?: (raw: Uint8Array, reason: string) => Promise<void> | void;
}

export interface Subscription {
  /** Stops taking new messages and waits for handlers in flight; unacknowledged messages stay on the bus. */
  close(): Promise<void>;
  /** Settles when the subscription stops by itself (a fatal backend error); rejects with that error. */
  readonly done: Promise<void>;
}

export interface Bus {
  readonly backend: BusBackend;
  /** Resolves once the backend acknowledged the write (JetStream PubAck, XADD reply, Kafka acks=all). */
  /**
   * `wire`: the event already encoded by wire.ts's `encodeEvent`, when the caller has it (the bus emitter encodes
   * once for its size check); without it the backend encodes the event itself.
   */
  publish(topic: string, event: CloudEvent<unknown>, wire?: Buffer): Promise<void>;
  consume(topic: string, durable: string, handler: BusHandler, opts?: ConsumeOptions): Promise<Subscription>;
  close(): Promise<void>;
}
