/**
 * The CloudEvent types the sources emit, in a module with no imports: adapters need these strings, and importing
 * them from the schema modules would load TypeBox and every schema into each adapter process (~19 MB RSS).
 */

/** PingSource-compatible, so sink functions written for Knative's PingSource work unchanged. */
export const CRON_EVENT_TYPE = 'dev.knative.sources.ping';

/** The type Knative's KafkaSource uses, so existing sinks keep matching on it. */
export const KAFKA_EVENT_TYPE = 'dev.knative.kafka.event';

/** The type Knative's RedisStreamSource uses. */
export const REDIS_STREAM_EVENT_TYPE = 'dev.knative.sources.redisstream';
