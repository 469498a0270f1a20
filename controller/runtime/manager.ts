/**
 * Wires informers → work queue → reconcilers, under leader election, with health and metrics.
 * Every replica keeps its informer caches warm (a standby that becomes leader starts at once); only
 * the leader enqueues keys and runs workers. Namespaced kinds are watched cluster-wide, or in each of
 * `config.watchNamespaces` (plus the system namespace) when that is set; cluster-scoped kinds always cluster-wide.
 * Constructible in-process so integration tests of the reconcilers can run the real machinery without a
 * subprocess.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { BackoffOptions } from '../../lib/backoff.js';
import { type HealthServer, startHealthServer } from '../../lib/http/health-server.js';
import { KubeClient } from '../../lib/kube/client.js';
import { ConflictError } from '../../lib/kube/errors.js';
import { ResilientInformer } from '../../lib/kube/informer.js';
import { resourceId } from '../../lib/kube/resource.js';
import { type Logger, createLogger } from '../../lib/log.js';
import { type LeaderElectionConfig, LeaderElector, defaultLeaderTimings } from './leader.js';
import { trimForCache } from './cache-trim.js';
import { DEFAULT_WORKERS } from './config.js';
import { CacheLister } from './lister.js';
import { type ControllerMetrics, createControllerMetrics } from './metrics.js';
import { type KindInformer, NamespacedInformers } from './namespaced-informer.js';
import { EventRecorder } from './recorder.js';
import type { ControllerConfig, GroupVersionKind, KubeObject, Lister, ObjectKey, ReconcileContext, Reconciler } from './types.js';
import { informerNamespaces } from './watch-namespaces.js';
import { WorkQueue } from './workqueue.js';
import { ApiWriter } from './writer.js';

export interface ManagerOptions {
  kubeConfig: KubeConfig;
  reconcilers: Reconciler[];
  config: ControllerConfig;
  log?: Logger;
  /** Parallel reconciles (default DEFAULT_WORKERS, 16). */
  workers?: number;
  /** Every primary is enqueued this often even without a change (default 10 min). */
  resyncMs?: number;
  /** false = always lead (a single replica, or tests); else Lease settings over the defaults. */
  leaderElection?: false | (Partial<LeaderElectionConfig> & { identity: string });
  /** Serve /healthz, /readyz, /metrics on this port (0 = any free port); undefined = no server. */
  metricsPort?: number;
  metricsHost?: string;
  /** Register Node's process metrics too (main does; in-process tests do not need them). */
  defaultMetrics?: boolean;
  informerWatchdogMs?: number;
  queueBackoff?: BackoffOptions;
  /** Called as soon as this replica lost the lease, while its workers stop (not on stop()). */
  onLeadershipLost?: () => void;
}

export interface Manager {
  readonly lister: Lister;
  readonly metrics: ControllerMetrics;
  /** The port /metrics listens on, when a server was asked for. */
  readonly healthPort: number | undefined;
  isLeader(): boolean;
  hasSynced(): boolean;
  waitForSync(): Promise<void>;
  informer(gvk: GroupVersionKind): KindInformer;
  stop(): Promise<void>;
}

type QueueKey = string;

function encodeKey(reconcilerIndex: number, key: ObjectKey): QueueKey {
  return JSON.stringify([reconcilerIndex, key.namespace ?? '', key.name]);
}

function decodeKey(encoded: QueueKey): { index: number; key: ObjectKey } {
  const [index, namespace, name] = JSON.parse(encoded) as [number, string, string];
  return { index, key: namespace ? { namespace, name } : { name } };
}

function keyOf(obj: KubernetesObject): ObjectKey {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name ?? '';
  return ns ? { namespace: ns, name } : { name };
}

export async function startManager(options: ManagerOptions): Promise<Manager> {
  const log = options.log ?? createLogger({ component: 'controller' });
  const client = new KubeClient(options.kubeConfig);
  const metrics = createControllerMetrics({ defaultMetrics: options.defaultMetrics });
  const reconcilers = options.reconcilers;
  const workers = options.workers ?? DEFAULT_WORKERS;
  const resyncMs = options.resyncMs ?? 600_000;
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`startManager: workers must be a positive integer, got ${workers}`);
  if (!(resyncMs > 0)) throw new RangeError(`startManager: resyncMs must be positive, got ${resyncMs}`);

  const informers = new Map<string, KindInformer>();
  const namespaces = informerNamespaces(options.config.watchNamespaces, options.config.systemNamespace);
  const declared = new Set<string>();
  for (const r of reconcilers) {
    declared.add(resourceId(r.gvk));
    for (const w of r.watches ?? []) declared.add(resourceId(w.gvk));
  }
  /** Primaries that read a kind nobody declared a watch for: any change of that kind re-enqueues them. */
  const readers = new Map<string, Set<QueueKey>>();

  let queue: WorkQueue | undefined;
  const enqueue = (index: number, key: ObjectKey): void => {
    queue?.add(encodeKey(index, key));
  };
  const enqueueReaders = (id: string): void => {
    for (const k of readers.get(id) ?? []) queue?.add(k);
  };

  const newInformer = (gvk: GroupVersionKind, namespace?: string): ResilientInformer<KubernetesObject> =>
    new ResilientInformer<KubernetesObject>({ client, resource: gvk, namespace, log, watchdogMs: options.informerWatchdogMs });

  const informerFor = (gvk: GroupVersionKind): KindInformer => {
    const id = resourceId(gvk);
    let inf = informers.get(id);
    if (inf) return inf;
    inf =
      gvk.namespaced && namespaces !== undefined
        ? new NamespacedInformers(new Map(namespaces.map((ns) => [ns, newInformer(gvk, ns)])))
        : newInformer(gvk);
    informers.set(id, inf);
    // First handler of each informer: client-node's ListWatch stores the object it then hands to the add/update
    // handlers, so trimming it here trims the cache before any other handler or reconcile sees it.
    inf.on('add', trimForCache);
    inf.on('update', trimForCache);
    if (!declared.has(id)) {
      // Started on first read: the read that started it saw an empty cache, so re-run its readers once synced.
      log.info('watching a kind on first read', { resource: id });
      const poke = (): void => enqueueReaders(id);
      inf.on('add', poke);
      inf.on('update', poke);
      inf.on('delete', poke);
      inf.waitForSync().then(poke, () => {});
    }
    inf.start();
    return inf;
  };

  const lister = new CacheLister(informerFor);
  const trackingLister = (queueKey: QueueKey): Lister => {
    const track = (gvk: GroupVersionKind): void => {
      const id = resourceId(gvk);
      if (declared.has(id)) return;
      let set = readers.get(id);
      if (!set) {
        set = new Set();
        readers.set(id, set);
      }
      set.add(queueKey);
    };
    return {
      get: (gvk, key) => {
        track(gvk);
        return lister.get(gvk, key);
      },
      list: (gvk, namespace, selector) => {
        track(gvk);
        return lister.list(gvk, namespace, selector);
      },
    };
  };

  reconcilers.forEach((r, index) => {
    const primary = informerFor(r.gvk);
    const onPrimary = (obj: KubernetesObject): void => enqueue(index, keyOf(obj));
    primary.on('add', onPrimary);
    primary.on('update', onPrimary);
    primary.on('delete', onPrimary);
    for (const w of r.watches ?? []) {
      const onChild = (obj: KubernetesObject): void => {
        if (!queue) return;
        // Objects in the cache come from the API server: apiVersion, kind and metadata are set.
        for (const k of w.mapToPrimaries(obj as KubeObject, lister)) enqueue(index, k);
      };
      const child = informerFor(w.gvk);
      child.on('add', onChild);
      child.on('update', onChild);
      child.on('delete', onChild);
    }
  });

  const writer = new ApiWriter(client, metrics.apiWrites);
  const recorder = new EventRecorder({ client, writes: metrics.apiWrites, log });

  const reconcileKey = async (encoded: QueueKey): Promise<{ requeueAfterMs?: number } | undefined> => {
    const { index, key } = decodeKey(encoded);
    const r = reconcilers[index];
    if (!r) return undefined;
    const kind = r.gvk.kind;
    const ctx: ReconcileContext = {
      lister: trackingLister(encoded),
      writer,
      recorder,
      log: log.child({ kind, namespace: key.namespace, name: key.name }),
      config: options.config,
      now: () => new Date(),
    };
    metrics.reconcileTotal.inc({ kind });
    const end = metrics.reconcileDuration.startTimer({ kind });
    try {
      const result = await r.reconcile(key, ctx);
      return result?.requeueAfterMs !== undefined ? { requeueAfterMs: result.requeueAfterMs } : undefined;
    } catch (err) {
      metrics.reconcileErrors.inc({ kind });
      ctx.log.warn('reconcile failed; will retry with backoff', { err });
      // As Knative does: the failure shows on the object (`kubectl describe`). A Conflict only means the
      // cache was behind; the retry sees the fresh object, so it is not worth an Event.
      const primary = lister.get(r.gvk, key);
      if (primary && !(err instanceof ConflictError)) {
        recorder.event(primary, 'Warning', 'InternalError', err instanceof Error ? err.message : String(err));
      }
      throw err;
    } finally {
      end();
      // A primary that is gone reads nothing any more: keep the read tracking from growing without bound.
      if (!informerFor(r.gvk).get(key.name, key.namespace)) for (const set of readers.values()) set.delete(encoded);
    }
  };

  const enqueueAll = (): void => {
    reconcilers.forEach((r, index) => {
      for (const obj of informerFor(r.gvk).list()) enqueue(index, keyOf(obj));
    });
  };

  // Readiness and the start of work wait for the declared kinds only: a kind started on first read may
  // never sync (a sink of a kind whose CRD is not installed) and must not hold the controller back.
  const declaredInformers = (): KindInformer[] =>
    [...informers.entries()].filter(([id]) => declared.has(id)).map(([, inf]) => inf);
  const allSynced = (): boolean => declaredInformers().every((i) => i.hasSynced());
  const waitForSync = async (): Promise<void> => {
    await Promise.all(declaredInformers().map((i) => i.waitForSync()));
  };

  let term = 0;
  let resyncTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  let elector: LeaderElector | undefined;

  const startTerm = async (): Promise<void> => {
    const myTerm = ++term;
    try {
      await waitForSync();
    } catch {
      return; // stopped before the caches filled
    }
    if (myTerm !== term || stopping) return;
    queue = new WorkQueue({
      workers,
      process: reconcileKey,
      backoff: options.queueBackoff,
      log,
      onDepth: (d) => metrics.queueDepth.set(d),
    });
    queue.start();
    enqueueAll();
    resyncTimer = setInterval(enqueueAll, resyncMs);
    log.info('workers started', { workers, reconcilers: reconcilers.map((r) => r.gvk.kind) });
  };

  const endTerm = async (): Promise<void> => {
    term++;
    clearInterval(resyncTimer);
    resyncTimer = undefined;
    const q = queue;
    queue = undefined;
    metrics.queueDepth.set(0);
    if (q) {
      await q.shutdown();
      log.info('workers stopped');
    }
  };

  if (options.leaderElection === false) {
    void startTerm();
  } else {
    const le = options.leaderElection ?? { identity: `headwater-${process.pid}` };
    const leConfig: LeaderElectionConfig = {
      ...defaultLeaderTimings,
      namespace: options.config.systemNamespace,
      name: 'headwater-controller',
      ...le,
    };
    elector = new LeaderElector(
      client,
      leConfig,
      {
        onStartedLeading: () => void startTerm(),
        onStoppedLeading: () => {
          // Told at once, not after the workers drained: a reconcile hanging on a stalled apiserver must not
          // keep a process that chose to exit alive while another replica takes over.
          if (!stopping) options.onLeadershipLost?.();
          void endTerm();
        },
      },
      log,
      metrics,
    );
    elector.start();
  }

  const restartsTimer = setInterval(() => {
    for (const [id, inf] of informers) {
      metrics.informerRestarts.set({ resource: id, cause: 'error' }, inf.stats.errorRestarts);
      metrics.informerRestarts.set({ resource: id, cause: 'watchdog' }, inf.stats.watchdogRestarts);
      metrics.informerRestarts.set({ resource: id, cause: 'expired' }, inf.stats.expired);
    }
  }, 5000);
  restartsTimer.unref();

  let health: HealthServer | undefined;
  if (options.metricsPort !== undefined) {
    try {
      health = await startHealthServer({
        port: options.metricsPort,
        host: options.metricsHost,
        registry: metrics.registry,
        isReady: allSynced,
        notReadyText: 'informer caches not synced',
      });
    } catch (err) {
      // Port taken, say: undo what already runs so an in-process caller is not left with live watches.
      stopping = true;
      clearInterval(restartsTimer);
      await endTerm();
      await elector?.stop();
      for (const inf of informers.values()) inf.stop();
      client.destroy();
      throw err;
    }
  }

  return {
    lister,
    metrics,
    healthPort: health?.port,
    isLeader: () => (elector ? elector.isLeader() : true),
    hasSynced: allSynced,
    waitForSync,
    informer: informerFor,
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(restartsTimer);
      // Finish the reconciles in flight before the lease goes, so the next leader never overlaps with us.
      await endTerm();
      await elector?.stop();
      for (const inf of informers.values()) inf.stop();
      await recorder.flush();
      await health?.close();
      client.destroy();
    },
  };
}
