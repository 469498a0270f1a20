/** The EventBus: one small interface (types.ts), one implementation per backend, and the bus-path Emitter. */
export { parseBusConfig, parseBusTopicConfig, validateTopic } from './config.js';
export { type BusDeps, createBus } from './create.js';
export { busEmitter, createBusEmitter } from './emitter.js';
export { BusConnectError, BusDecodeError, BusPublishError } from './errors.js';
export { decodeEvent, encodeEvent, structuredContentType } from './wire.js';
export type {
  Bus,
  BusBackend,
  BusConfig,
  BusHandler,
  BusTopicConfig,
  ConsumeOptions,
  KafkaBusConfig,
  NatsBusConfig,
  RedisBusConfig,
  Subscription,
} from './types.js';
