/**
 * An informer that keeps going: client-node's ListWatch (cache, relist on 410 Gone, add/update/delete
 * callbacks) driven by our own watch transport, restarted with backoff when it stops on an error, and
 * restarted by a watchdog when nothing (no event, no bookmark, no list, no clean end of a watch) has
 * arrived for too long, which is how a silently stalled connection shows itself.
 *
 * Restarts bump a generation number; anything a previous generation still has in flight (a list that
 * answers late, a watch that connects late) is dropped, so two watch loops never feed one cache.
 */
import { ListWatch, Watch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { type BackoffOptions, backoffDelay } from '../backoff.js';
import { HeadwaterError } from '../errors.js';
import { type Logger, createLogger } from '../log.js';
import type { KubeClient, StreamHandle } from './client.js';
import { type ResourceType, apiVersionOf, collectionPath, resourceId } from './resource.js';

export type InformerEvent = 'add' | 'update' | 'delete';
export type InformerHandler<T> = (obj: T) => void;

export interface InformerOptions {
  client: KubeClient;
  resource: ResourceType;
  /** Watch one namespace only; default all namespaces. */
  namespace?: string;
  labelSelector?: string;
  log?: Logger;
  /** Restart the watch when no sign of life arrived for this long (default 180s). */
  watchdogMs?: number;
  /** Server-side watch timeout; a healthy idle watch ends and re-opens within it (default watchdog/2). */
  watchTimeoutSeconds?: number;
  /** Objects per list request (default 500). */
  listPageSize?: number;
  /** Delay between restarts after errors (default exponential 250ms … 30s, ±20%). */
  restartBackoff?: BackoffOptions;
}

export interface InformerStats {
  /** Restarts after an error. */
  errorRestarts: number;
  /** Restarts because the watchdog saw no progress. */
  watchdogRestarts: number;
  /** Watches the server ended with 410 Gone (too old a resourceVersion), each followed by a relist. */
  expired: number;
  /** Successful lists (the first one, and one after every 410). */
  lists: number;
  /** Wall-clock ms of the last sign of life. */
  lastProgressAt: number;
}

/** Thrown into ListWatch for a list from an abandoned generation so it stops that chain. */
class StaleGenerationError extends HeadwaterError {
  constructor() {
    super('StaleGeneration', 'informer restarted while this request was in flight');
  }
}

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;
type WatchDone = (err: unknown) => void;

/**
 * The transport ListWatch calls for each watch. Subclassing Watch keeps ListWatch's contract; the
 * body is ours so that a hung request can be aborted and every line counts as progress.
 */
class GuardedWatch extends Watch {
  generation = 0;
  private readonly live = new Set<StreamHandle>();

  constructor(
    kubeConfig: KubeConfig,
    private readonly client: KubeClient,
    private readonly timeoutSeconds: number,
    private readonly hooks: { progress(): void; watchCalled(): void; expired(): void },
  ) {
    super(kubeConfig);
  }

  abortAll(): void {
    for (const h of this.live) h.abort();
    this.live.clear();
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: WatchCallback,
    done: WatchDone,
  ): Promise<AbortController> {
    const gen = this.generation;
    const controller = new AbortController();
    this.hooks.watchCalled();
    let handle: StreamHandle;
    try {
      handle = await this.client.stream(
        path,
        { ...queryParams, watch: true, allowWatchBookmarks: true, timeoutSeconds: this.timeoutSeconds },
        (line) => {
          if (gen !== this.generation) return;
          let event: { type?: string; object?: unknown };
          try {
            event = JSON.parse(line) as { type?: string; object?: unknown };
          } catch {
            return; // a torn line cannot be applied; the next relist repairs the cache
          }
          this.hooks.progress();
          if (event.type === 'ERROR' && (event.object as { code?: number } | undefined)?.code === 410) this.hooks.expired();
          if (event.type && event.object) callback(event.type, event.object, event);
        },
      );
    } catch (err) {
      if (gen === this.generation) queueMicrotask(() => done(err));
      return controller;
    }
    if (gen !== this.generation) {
      handle.abort();
      controller.abort();
      return controller;
    }
    this.live.add(handle);
    controller.signal.addEventListener('abort', () => handle.abort(), { once: true });
    handle.done.then(
      () => {
        this.live.delete(handle);
        if (gen !== this.generation) return;
        this.hooks.progress(); // the server ended the watch on time: it is alive
        done(null);
      },
      (err: unknown) => {
        this.live.delete(handle);
        if (gen === this.generation) done(err);
      },
    );
    return controller;
  }
}

export class ResilientInformer<T extends KubernetesObject = KubernetesObject> {
  readonly resource: ResourceType;
  private readonly log: Logger;
  private readonly watchdogMs: number;
  private readonly backoff: BackoffOptions;
  private readonly transport: GuardedWatch;
  private readonly listWatch: ListWatch<T>;
  private readonly handlers: Record<InformerEvent, InformerHandler<T>[]> = { add: [], update: [], delete: [] };
  private synced = false;
  private syncWaiters: { resolve(): void; reject(err: Error): void }[] = [];
  private running = false;
  private attempt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  readonly stats: InformerStats = { errorRestarts: 0, watchdogRestarts: 0, expired: 0, lists: 0, lastProgressAt: Date.now() };

  constructor(options: InformerOptions) {
    const { client, resource } = options;
    this.resource = resource;
    this.log = (options.log ?? createLogger()).child({ informer: resourceId(resource) });
    this.watchdogMs = options.watchdogMs ?? 180_000;
    this.backoff = options.restartBackoff ?? { policy: 'exponential', baseMs: 250, maxMs: 30_000, jitter: 0.2 };
    const timeoutSeconds = options.watchTimeoutSeconds ?? Math.max(1, Math.floor(this.watchdogMs / 2000));
    this.transport = new GuardedWatch(client.kubeConfig, client, timeoutSeconds, {
      progress: () => this.progress(),
      watchCalled: () => this.markSynced(),
      expired: () => {
        // ListWatch re-lists by itself; worth a line because a relist of a big kind is not free.
        this.stats.expired++;
        this.log.info('watch resourceVersion expired (410 Gone); re-listing');
      },
    });
    const path = collectionPath(resource, options.namespace);
    const apiVersion = apiVersionOf(resource);
    const pageSize = options.listPageSize ?? 500;
    const list = async (): Promise<KubernetesListObject<T>> => {
      const gen = this.transport.generation;
      // In pages, so a big kind does not arrive as one huge response; the pages form one consistent
      // snapshot and the last one carries its resourceVersion.
      let result: KubernetesListObject<T> | undefined;
      let cont: string | undefined;
      do {
        const page: KubernetesListObject<T> = await client.json<KubernetesListObject<T>>({
          method: 'GET',
          path,
          query: { labelSelector: options.labelSelector, limit: pageSize, continue: cont },
        });
        if (gen !== this.transport.generation) throw new StaleGenerationError();
        result = result ? { ...page, items: [...result.items, ...page.items] } : page;
        // Raw JSON: the field is `continue` (client-node's model renames it `_continue`).
        cont = (page.metadata as { continue?: string } | undefined)?.continue || undefined;
      } while (cont);
      // List items of built-in kinds come without apiVersion/kind; watch events carry them. Make the cache uniform.
      for (const item of result.items) {
        item.apiVersion ??= apiVersion;
        item.kind ??= resource.kind;
      }
      this.stats.lists++;
      this.progress();
      return result;
    };
    this.listWatch = new ListWatch<T>(path, this.transport, list, false, options.labelSelector);
    this.listWatch.on('add', (o) => this.emit('add', o));
    this.listWatch.on('update', (o) => this.emit('update', o));
    this.listWatch.on('delete', (o) => this.emit('delete', o));
    this.listWatch.on('error', (err) => this.onError(err));
  }

  on(event: InformerEvent, handler: InformerHandler<T>): void {
    this.handlers[event].push(handler);
  }

  private emit(event: InformerEvent, obj: T): void {
    for (const h of this.handlers[event]) {
      try {
        h(obj);
      } catch (err) {
        // A faulty handler must not break the cache update or the other handlers.
        this.log.error('informer handler threw', { event, err });
      }
    }
  }

  private progress(): void {
    this.stats.lastProgressAt = Date.now();
    this.attempt = 0;
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    this.log.debug('informer synced', { objects: this.listWatch.list().length });
    for (const w of this.syncWaiters.splice(0)) w.resolve();
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list is in the cache. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push({
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      });
    });
  }

  get(name: string, namespace?: string): T | undefined {
    return this.listWatch.get(name, this.resource.namespaced ? namespace : undefined);
  }

  list(namespace?: string): readonly T[] {
    return this.listWatch.list(namespace);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stats.lastProgressAt = Date.now();
    const interval = Math.max(250, Math.floor(this.watchdogMs / 4));
    this.watchdogTimer = setInterval(() => this.checkProgress(), interval);
    this.watchdogTimer.unref();
    this.launch();
  }

  private launch(): void {
    this.transport.generation++;
    this.transport.abortAll();
    this.listWatch.start().catch((err: unknown) => this.onError(err));
  }

  private onError(err: unknown): void {
    if (!this.running || err instanceof StaleGenerationError) return;
    if (this.restartTimer) return;
    this.attempt++;
    const delay = backoffDelay(this.attempt, this.backoff);
    this.log.warn('watch stopped on an error; restarting', { err, attempt: this.attempt, delayMs: delay });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.running) return;
      this.stats.errorRestarts++;
      this.launch();
    }, delay);
  }

  private checkProgress(): void {
    if (!this.running || this.restartTimer) return;
    const silentFor = Date.now() - this.stats.lastProgressAt;
    if (silentFor < this.watchdogMs) return;
    this.log.warn('no progress on the watch; restarting it', { silentForMs: silentFor });
    this.stats.watchdogRestarts++;
    this.stats.lastProgressAt = Date.now();
    this.launch();
  }

  stop(): void {
    this.running = false;
    clearInterval(this.watchdogTimer);
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.transport.generation++;
    this.transport.abortAll();
    void this.listWatch.stop();
    const stopped = new HeadwaterError('InformerStopped', `informer for ${resourceId(this.resource)} stopped before its first list`);
    for (const w of this.syncWaiters.splice(0)) w.reject(stopped);
  }
}
