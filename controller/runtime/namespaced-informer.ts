/**
 * One kind's cache as the manager uses it, whether it is one cluster-wide informer or one informer per watched
 * namespace (WATCH_NAMESPACES): the apiserver has no "these namespaces" filter for list/watch, so a controller
 * confined to some namespaces runs a list+watch in each and reads them as one cache.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { InformerEvent, InformerHandler, InformerStats } from '../../lib/kube/informer.js';
import type { CacheReader } from './lister.js';

export interface KindInformer extends CacheReader {
  on(event: InformerEvent, handler: InformerHandler<KubernetesObject>): void;
  hasSynced(): boolean;
  waitForSync(): Promise<void>;
  start(): void;
  stop(): void;
  readonly stats: InformerStats;
}

/** The informers of one namespaced kind, one per namespace (each a ResilientInformer), read as one cache. */
export class NamespacedInformers implements KindInformer {
  private readonly byNamespace: ReadonlyMap<string, KindInformer>;

  constructor(byNamespace: ReadonlyMap<string, KindInformer>) {
    if (byNamespace.size === 0) throw new RangeError('NamespacedInformers: at least one namespace');
    this.byNamespace = byNamespace;
  }

  on(event: InformerEvent, handler: InformerHandler<KubernetesObject>): void {
    for (const inf of this.byNamespace.values()) inf.on(event, handler);
  }

  hasSynced(): boolean {
    return [...this.byNamespace.values()].every((i) => i.hasSynced());
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.byNamespace.values()].map((i) => i.waitForSync()));
  }

  start(): void {
    for (const inf of this.byNamespace.values()) inf.start();
  }

  stop(): void {
    for (const inf of this.byNamespace.values()) inf.stop();
  }

  /** An object outside the watched namespaces is not in any cache: undefined, as for one that does not exist. */
  get(name: string, namespace?: string): KubernetesObject | undefined {
    return namespace === undefined ? undefined : this.byNamespace.get(namespace)?.get(name, namespace);
  }

  list(namespace?: string): readonly KubernetesObject[] {
    if (namespace !== undefined) return this.byNamespace.get(namespace)?.list(namespace) ?? [];
    return [...this.byNamespace.values()].flatMap((i) => i.list());
  }

  /** Summed over the namespaces; lastProgressAt is the stalest, so a stalled namespace is not hidden by busy ones. */
  get stats(): InformerStats {
    const all = [...this.byNamespace.values()].map((i) => i.stats);
    return {
      errorRestarts: sum(all.map((s) => s.errorRestarts)),
      watchdogRestarts: sum(all.map((s) => s.watchdogRestarts)),
      expired: sum(all.map((s) => s.expired)),
      lists: sum(all.map((s) => s.lists)),
      lastProgressAt: Math.min(...all.map((s) => s.lastProgressAt)),
    };
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
