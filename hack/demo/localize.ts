/**
 * The samples are written for a real cluster: namespace `default`, brokers under cluster names
 * (`my-cluster-kafka-bootstrap.kafka:9092`, `redis.redis.svc.cluster.local`, `nats.nats.svc…`). Locally the
 * brokers are the ones `hack/env.sh` runs on loopback, and the demo and each e2e test use namespaces of
 * their own (the local apiserver is shared by every run on the machine). This is the one place that says
 * what changes between a sample and what the demo applies; everything else is applied as written.
 * Pure: objects in, new objects out.
 */

export type KubeObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string } & Record<string, unknown>;
};

export interface LocalizeOptions {
  /** Replaces the samples' `default` namespace of the objects themselves. */
  namespace: string;
  /** Replaces `default` where a sample points at another object (sink refs, `…default.svc…` URIs). Default: `namespace`. */
  sinkNamespace?: string;
  kafkaBrokers: readonly string[];
  /** `redis://host:port`. */
  redisUrl: string;
  natsUrl: string;
  /** Replaces every CronSource schedule (a sample's "every minute" is slow to watch). */
  schedule?: string;
  /** Renames Kafka topics and Redis streams (tests use names of their own on the shared brokers). */
  renameTopic?: (topic: string) => string;
}

type Json = unknown;

function isRecord(v: Json): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `namespace: default` fields and `.default.svc` host names anywhere below the metadata. */
function rewriteRefs(value: Json, sinkNamespace: string): Json {
  if (typeof value === 'string') return value.replace(/\.default\.svc\b/g, `.${sinkNamespace}.svc`);
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, sinkNamespace));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = k === 'namespace' && v === 'default' ? sinkNamespace : rewriteRefs(v, sinkNamespace);
  return out;
}

/** The Redis address as the RedisStreamSource/EventBus samples write it: a URL or host:port, whichever they used. */
function redisAddress(sampleAddress: string, redisUrl: string): string {
  if (/^rediss?:\/\//.test(sampleAddress)) return redisUrl;
  return new URL(redisUrl).host;
}

function localizeSpec(kind: string, spec: Record<string, unknown>, o: LocalizeOptions): Record<string, unknown> {
  const rename = o.renameTopic ?? ((t: string) => t);
  const s = { ...spec };
  switch (kind) {
    case 'KafkaSource':
      s.bootstrapServers = [...o.kafkaBrokers];
      if (Array.isArray(s.topics)) s.topics = (s.topics as string[]).map(rename);
      break;
    case 'RedisStreamSource':
      if (typeof s.address === 'string') s.address = redisAddress(s.address, o.redisUrl);
      if (typeof s.stream === 'string') s.stream = rename(s.stream);
      break;
    case 'CronSource':
      if (o.schedule !== undefined) s.schedule = o.schedule;
      break;
    case 'EventBus':
    case 'ClusterEventBus':
      if (isRecord(s.nats)) s.nats = { ...s.nats, url: o.natsUrl };
      if (isRecord(s.redis) && typeof s.redis.address === 'string') s.redis = { ...s.redis, address: redisAddress(s.redis.address, o.redisUrl) };
      if (isRecord(s.kafka)) s.kafka = { ...s.kafka, bootstrapServers: [...o.kafkaBrokers] };
      break;
    default:
      break;
  }
  return s;
}

export function localize(obj: KubeObject, o: LocalizeOptions): KubeObject {
  const sinkNamespace = o.sinkNamespace ?? o.namespace;
  const { metadata, spec, ...rest } = obj;
  const out = rewriteRefs(rest, sinkNamespace) as KubeObject;
  out.metadata = { ...metadata };
  // Cluster-scoped objects (ClusterEventBus) have no namespace to move; Secrets for the controller's namespace keep theirs.
  if (metadata.namespace === 'default') out.metadata.namespace = o.namespace;
  if (isRecord(spec)) {
    const refsDone = rewriteRefs(spec, sinkNamespace) as Record<string, unknown>;
    out.spec = localizeSpec(obj.kind, refsDone, o);
  } else if (spec !== undefined) {
    out.spec = spec;
  }
  return out;
}
