/**
 * The bus path: find the EventBus a source or Trigger names (namespaced first, then the ClusterEventBus of
 * that name), judge whether it is usable, and turn it into the adapter's bus configuration. Pure.
 */
import type { V1EnvVar } from '@kubernetes/client-node';
import type { EventBusSpec, SecretValueFromSource } from '../../../api/index.js';
import { ClusterEventBusKind, EventBusKind } from '../../../api/index.js';
import type { KubeObject, Lister } from '../../runtime/types.js';

export interface FoundBus {
  kind: 'EventBus' | 'ClusterEventBus';
  obj: KubeObject;
  spec: EventBusSpec;
}

export function findBus(lister: Lister, namespace: string, name: string): FoundBus | undefined {
  const namespaced = lister.get(EventBusKind.gvk, { namespace, name });
  if (namespaced !== undefined && namespaced.metadata.deletionTimestamp === undefined) {
    return { kind: 'EventBus', obj: namespaced, spec: (namespaced.spec ?? {}) as EventBusSpec };
  }
  const cluster = lister.get(ClusterEventBusKind.gvk, { name });
  if (cluster !== undefined && cluster.metadata.deletionTimestamp === undefined) {
    return { kind: 'ClusterEventBus', obj: cluster, spec: (cluster.spec ?? {}) as EventBusSpec };
  }
  return undefined;
}

export type BusUsability = { usable: true } | { usable: false; status: 'False' | 'Unknown'; reason: string; message: string };

function describeBus(bus: FoundBus): string {
  return bus.kind === 'EventBus'
    ? `EventBus ${bus.obj.metadata.namespace}/${bus.obj.metadata.name}`
    : `ClusterEventBus ${bus.obj.metadata.name}`;
}

/**
 * A bus is usable when its own Ready is True. Credentials of a ClusterEventBus live in the controller's
 * namespace and a secretKeyRef cannot cross namespaces, so a user in another namespace cannot be given them.
 */
export function busUsability(bus: FoundBus | undefined, userNamespace: string, systemNamespace: string, busName: string): BusUsability {
  if (bus === undefined) {
    return {
      usable: false,
      status: 'False',
      reason: 'EventBusNotFound',
      message: `neither EventBus ${userNamespace}/${busName} nor ClusterEventBus ${busName} exists; create one or fix spec.eventBus`,
    };
  }
  if (bus.kind === 'ClusterEventBus' && userNamespace !== systemNamespace && busSecrets(bus.spec).length > 0) {
    return {
      usable: false,
      status: 'False',
      reason: 'EventBusCredentialsUnavailable',
      message: `${describeBus(bus)} needs credentials from namespace ${systemNamespace}, which pods in ${userNamespace} cannot reference; create an EventBus named ${busName} in ${userNamespace} with its own secret`,
    };
  }
  const conditions = ((bus.obj.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] } | undefined)
    ?.conditions ?? []);
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return { usable: true };
  return {
    usable: false,
    status: ready?.status === 'False' ? 'False' : 'Unknown',
    reason: 'EventBusNotReady',
    message: `${describeBus(bus)} is not ready${ready?.message ? `: ${ready.message}` : ' yet'}`,
  };
}

export type BusBackend = 'nats' | 'redis' | 'kafka';

/** Non-secret parts of the Kafka bus's `net`: the mechanism and what is switched on. */
export interface KafkaBusNet {
  sasl?: { enable: true; type: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' };
  tls?: { enable: true };
}

export interface BusConfig {
  backend: BusBackend;
  nats?: { url: string; stream: string };
  redis?: { address: string; tls?: { enable: true } };
  kafka?: { bootstrapServers: string[]; net?: KafkaBusNet };
}

/** JetStream stream when the bus does not name one: one per bus object, shared by its publishers and Triggers. */
export function defaultNatsStream(bus: FoundBus): string {
  const raw = bus.kind === 'EventBus' ? `headwater-${bus.obj.metadata.namespace}-${bus.obj.metadata.name}` : `headwater-${bus.obj.metadata.name}`;
  return raw.replace(/[^A-Za-z0-9_-]/g, '_');
}

export function busBackend(spec: EventBusSpec): BusBackend | undefined {
  if (spec.nats !== undefined) return 'nats';
  if (spec.redis !== undefined) return 'redis';
  if (spec.kafka !== undefined) return 'kafka';
  return undefined;
}

/** TLS to the Redis bus: `tls.enable` or a `rediss://` address (as for the RedisStreamSource). */
export function redisBusTls(redis: NonNullable<EventBusSpec['redis']>): boolean {
  return redis.tls?.enable === true || /^rediss:\/\//i.test(redis.address);
}

function kafkaBusNet(kafka: NonNullable<EventBusSpec['kafka']>): KafkaBusNet | undefined {
  const net: KafkaBusNet = {};
  if (kafka.net?.sasl?.enable === true) net.sasl = { enable: true, type: kafka.net.sasl.type ?? 'PLAIN' };
  if (kafka.net?.tls?.enable === true) net.tls = { enable: true };
  return net.sasl === undefined && net.tls === undefined ? undefined : net;
}

/** The bus part of K_EVENT_BUS_CONFIG / K_TRIGGER_CONFIG (no secrets: those go by secretKeyRef). */
export function busConfig(bus: FoundBus): BusConfig | undefined {
  const { spec } = bus;
  if (spec.nats !== undefined) return { backend: 'nats', nats: { url: spec.nats.url, stream: spec.nats.stream ?? defaultNatsStream(bus) } };
  if (spec.redis !== undefined) {
    return { backend: 'redis', redis: { address: spec.redis.address, ...(spec.redis.tls?.enable === true ? { tls: { enable: true } } : {}) } };
  }
  if (spec.kafka !== undefined) {
    const net = kafkaBusNet(spec.kafka);
    return { backend: 'kafka', kafka: { bootstrapServers: [...spec.kafka.bootstrapServers], ...(net === undefined ? {} : { net }) } };
  }
  return undefined;
}

/**
 * The secrets the adapter will use, by env name. Only those of what is switched on (SASL enabled, TLS on): a
 * reference the adapter ignores would still keep its pod from starting when the Secret is missing, and would make
 * a ClusterEventBus look credentialed.
 */
export function busSecrets(spec: EventBusSpec): { env: string; ref: SecretValueFromSource }[] {
  const out: { env: string; ref: SecretValueFromSource }[] = [];
  const add = (env: string, ref: SecretValueFromSource | undefined): void => {
    if (ref !== undefined) out.push({ env, ref });
  };
  add('BUS_NATS_TOKEN', spec.nats?.token);
  if (spec.redis !== undefined) {
    add('BUS_REDIS_PASSWORD', spec.redis.password);
    if (redisBusTls(spec.redis)) add('BUS_REDIS_TLS_CA', spec.redis.tls?.caCert);
  }
  const net = spec.kafka?.net;
  if (net?.sasl?.enable === true) {
    add('BUS_KAFKA_SASL_USER', net.sasl.user);
    add('BUS_KAFKA_SASL_PASSWORD', net.sasl.password);
  }
  if (net?.tls?.enable === true) {
    add('BUS_KAFKA_TLS_CA', net.tls.caCert);
    add('BUS_KAFKA_TLS_CERT', net.tls.cert);
    add('BUS_KAFKA_TLS_KEY', net.tls.key);
  }
  return out;
}

export function secretEnv(name: string, ref: SecretValueFromSource): V1EnvVar {
  const { name: secret, key, optional } = ref.secretKeyRef;
  return { name, valueFrom: { secretKeyRef: { name: secret, key, ...(optional === undefined ? {} : { optional }) } } };
}

/** BUS_NATS_TOKEN, BUS_REDIS_PASSWORD, BUS_REDIS_TLS_CA, BUS_KAFKA_SASL_*, BUS_KAFKA_TLS_* by reference, never by value. */
export function busSecretEnv(bus: FoundBus): V1EnvVar[] {
  return busSecrets(bus.spec).map((s) => secretEnv(s.env, s.ref));
}

/** `{namespace}-{source}` (plus `-{event}` for a named output): where a source publishes and a Trigger reads. */
export function sourceTopic(namespace: string, sourceName: string, event?: string): string {
  return event === undefined ? `${namespace}-${sourceName}` : `${namespace}-${sourceName}-${event}`;
}
