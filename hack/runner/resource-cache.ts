/**
 * A list+watch cache that survives what client-node 1.x informers do not: they stop on any watch
 * error other than 410 and can stall silently. This one replaces the informer after an error (with
 * back-off) and on a fixed re-list period, and tells its owner "something changed" — the owner is
 * level-triggered and reads `list()` again.
 */
import { type KubeConfig, type KubernetesListObject, type KubernetesObject, makeInformer, type Informer, type ObjectCache } from '@kubernetes/client-node';
import { backoffDelay } from '../../lib/backoff.js';
import type { Logger } from '../../lib/log.js';

export interface ResourceCacheOptions<T extends KubernetesObject> {
  kc: KubeConfig;
  /** Watch path, e.g. /api/v1/pods. */
  path: string;
  list(): Promise<KubernetesListObject<T>>;
  onChange(): void;
  relistEveryMs: number;
  log: Logger;
}

export class ResourceCache<T extends KubernetesObject> {
  private current: (Informer<T> & ObjectCache<T>) | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: ResourceCacheOptions<T>) {}

  list(): readonly T[] {
    return this.current?.list() ?? [];
  }

  /** Resolves once the first list has arrived (retrying with back-off until it does). */
  async start(): Promise<void> {
    while (!this.stopped && !(await this.replace())) {
      await new Promise((r) => setTimeout(r, backoffDelay(this.failures, { policy: 'exponential', baseMs: 500, maxMs: 10_000 })));
    }
  }

  private retryLater(): void {
    this.failures++;
    const delay = backoffDelay(this.failures, { policy: 'exponential', baseMs: 500, maxMs: 30_000, jitter: 0.2 });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.replace(), delay);
  }

  /** Lists afresh into a new informer and swaps it in; false when the list or watch failed. */
  private async replace(): Promise<boolean> {
    clearTimeout(this.timer);
    if (this.stopped) return false;
    const informer = makeInformer(this.o.kc, this.o.path, () => this.o.list());
    let failed = false;
    const changed = (): void => {
      if (this.current === informer) this.o.onChange();
    };
    informer.on('add', changed);
    informer.on('update', changed);
    informer.on('delete', changed);
    informer.on('error', (err: unknown) => {
      failed = true;
      if (this.stopped || (this.current !== undefined && this.current !== informer)) return;
      this.o.log.warn('watch failed, re-listing', { path: this.o.path, err });
      if (this.current === informer) this.retryLater();
    });
    try {
      await informer.start();
    } catch (err) {
      failed = true;
      this.o.log.warn('list failed', { path: this.o.path, err });
    }
    if (failed || this.stopped) {
      void informer.stop();
      if (this.current) this.retryLater();
      else this.failures++;
      return false;
    }
    this.failures = 0;
    const previous = this.current;
    this.current = informer;
    if (previous) void previous.stop();
    this.o.onChange();
    this.timer = setTimeout(() => void this.replace(), this.o.relistEveryMs);
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current?.stop();
  }
}
