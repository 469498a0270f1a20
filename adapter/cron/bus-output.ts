/**
 * The bus path of a CronSource in cluster mode: find the EventBus it names (namespaced first, else the
 * ClusterEventBus of that name, as the controller does) and derive the publish config the controller would
 * give a per-source adapter. Credentials cannot be read here (the adapter does not read Secrets), so a bus that
 * needs a token or password is refused with a clear reason.
 */
import { ClusterEventBusKind, EventBusKind } from '../../api/index.js';
import { HeadwaterError } from '../../lib/errors.js';
import type { KubeClient } from '../../lib/kube/client.js';
import { NotFoundError } from '../../lib/kube/errors.js';
import { objectPath } from '../../lib/kube/resource.js';
import type { BusTopicConfig } from '../bus/types.js';

export class BusOutputError extends HeadwaterError {
  constructor(source: string, message: string) {
    super('BusOutputError', `${source}: ${message}`, { source });
  }
}

interface BusObject {
  metadata: { name: string; namespace?: string };
  spec?: {
    nats?: { url: string; stream?: string; token?: unknown };
    redis?: { address: string; password?: unknown };
    kafka?: { bootstrapServers: string[] };
  };
}

/** Same naming as the controller (controller/reconciler/shared/bus.ts), so publishers and Triggers meet. */
function defaultNatsStream(kind: 'EventBus' | 'ClusterEventBus', bus: BusObject): string {
  const raw = kind === 'EventBus' ? `headwater-${bus.metadata.namespace}-${bus.metadata.name}` : `headwater-${bus.metadata.name}`;
  return raw.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** Pure: a bus object → the source's publish config. */
export function busOutputFor(
  kind: 'EventBus' | 'ClusterEventBus',
  bus: BusObject,
  namespace: string,
  sourceName: string,
): BusTopicConfig {
  const key = `${namespace}/${sourceName}`;
  const topic = `${namespace}-${sourceName}`;
  const spec = bus.spec ?? {};
  if (spec.nats !== undefined) {
    if (spec.nats.token !== undefined) {
      throw new BusOutputError(key, `${kind} ${bus.metadata.name} needs a token, which the shared cron adapter cannot read; use a bus without credentials or a sink`);
    }
    return { backend: 'nats', topic, nats: { url: spec.nats.url, stream: spec.nats.stream ?? defaultNatsStream(kind, bus) } };
  }
  if (spec.redis !== undefined) {
    if (spec.redis.password !== undefined) {
      throw new BusOutputError(key, `${kind} ${bus.metadata.name} needs a password, which the shared cron adapter cannot read; use a bus without credentials or a sink`);
    }
    return { backend: 'redis', topic, redis: { address: spec.redis.address } };
  }
  if (spec.kafka !== undefined) return { backend: 'kafka', topic, kafka: { bootstrapServers: [...spec.kafka.bootstrapServers] } };
  throw new BusOutputError(key, `${kind} ${bus.metadata.name} names no backend (nats, redis or kafka)`);
}

export async function lookupBusOutput(client: KubeClient, namespace: string, sourceName: string, busName: string): Promise<BusTopicConfig> {
  try {
    const bus = await client.json<BusObject>({ method: 'GET', path: objectPath(EventBusKind.gvk, namespace, busName) });
    return busOutputFor('EventBus', bus, namespace, sourceName);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  try {
    const bus = await client.json<BusObject>({ method: 'GET', path: objectPath(ClusterEventBusKind.gvk, undefined, busName) });
    return busOutputFor('ClusterEventBus', bus, namespace, sourceName);
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new BusOutputError(`${namespace}/${sourceName}`, `neither EventBus ${namespace}/${busName} nor ClusterEventBus ${busName} exists`);
    }
    throw err;
  }
}
