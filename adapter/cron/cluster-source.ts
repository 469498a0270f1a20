/**
 * Cluster mode: watch every CronSource (all namespaces, or those in WATCH_NAMESPACES) and keep the scheduler in
 * step. A source is scheduled once the controller resolved its sink (`status.sinkUri`) or it names an event bus;
 * a broken source is logged and left out without touching the others.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { CronSourceKind } from '../../api/index.js';
import type { Logger } from '../../lib/log.js';
import type { KubeClient } from '../../lib/kube/client.js';
import { ResilientInformer } from '../../lib/kube/informer.js';
import type { AdapterConfig } from '../runtime/config.js';
import { lookupBusOutput } from './bus-output.js';
import type { CronScheduler } from './scheduler.js';
import { buildTenant, type CronSpecInput, type TenantInput } from './tenant.js';

interface CronSourceObject extends KubernetesObject {
  spec?: CronSpecInput;
  status?: { sinkUri?: string; sinkCACerts?: string };
}

export interface ClusterWatch {
  ready: Promise<void>;
  stop(): void;
}

export function watchCronSources(opts: {
  client: KubeClient;
  scheduler: CronScheduler;
  cfg: AdapterConfig;
  logger: Logger;
  signal: AbortSignal;
}): ClusterWatch {
  const { scheduler, logger, cfg } = opts;
  // WATCH_NAMESPACES (set by a controller confined to some namespaces): one list+watch per namespace, since the
  // apiserver has no multi-namespace filter; sources elsewhere belong to another controller and its adapter.
  const namespaces: readonly (string | undefined)[] = cfg.watchNamespaces.length > 0 ? cfg.watchNamespaces : [undefined];
  const informers = namespaces.map(
    (namespace) =>
      new ResilientInformer<CronSourceObject>({
        client: opts.client,
        resource: CronSourceKind.gvk,
        log: logger,
        ...(namespace === undefined ? {} : { namespace }),
      }),
  );
  // Bus lookups are async: a newer event for the same source must win over an older lookup still in flight.
  const generation = new Map<string, number>();

  const apply = async (obj: CronSourceObject): Promise<void> => {
    const namespace = obj.metadata?.namespace;
    const name = obj.metadata?.name;
    if (namespace === undefined || name === undefined) return;
    const key = `${namespace}/${name}`;
    const gen = (generation.get(key) ?? 0) + 1;
    generation.set(key, gen);
    if (obj.metadata?.deletionTimestamp !== undefined) {
      scheduler.remove(key);
      return;
    }
    const spec = obj.spec ?? {};
    const input: TenantInput = { namespace, name, spec, defaults: cfg };
    try {
      if (typeof spec.eventBus === 'string' && spec.eventBus !== '') {
        const bus = await lookupBusOutput(opts.client, namespace, name, spec.eventBus);
        if (generation.get(key) !== gen) return;
        input.eventBus = bus;
      } else if (obj.status?.sinkUri) {
        input.sinkUri = obj.status.sinkUri;
        if (obj.status.sinkCACerts) input.sinkCACerts = obj.status.sinkCACerts;
      } else {
        if (scheduler.get(key) !== undefined) logger.info('cron source lost its sink; unscheduled', { source: key });
        scheduler.remove(key);
        return;
      }
      scheduler.upsert(buildTenant(input));
    } catch (err) {
      if (generation.get(key) !== gen) return;
      logger.warn('cron source not scheduled', { source: key, err });
      scheduler.remove(key);
    }
  };

  for (const informer of informers) {
    informer.on('add', (o) => void apply(o));
    informer.on('update', (o) => void apply(o));
    informer.on('delete', (o) => {
      const key = `${o.metadata?.namespace}/${o.metadata?.name}`;
      generation.set(key, (generation.get(key) ?? 0) + 1);
      scheduler.remove(key);
    });
    informer.start();
  }
  return {
    ready: Promise.all(informers.map((i) => i.waitForSync(opts.signal))).then(() => undefined),
    stop: () => {
      for (const i of informers) i.stop();
    },
  };
}
