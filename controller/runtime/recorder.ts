/**
 * Kubernetes Events (core/v1) on the objects reconcilers act on. Identical events (same object, type,
 * reason and message) are aggregated: the first is created, repeats within the window are only counted
 * locally, and the next repeat after the window bumps `count` on the existing Event with one patch, so
 * a reconcile loop that fails hot cannot flood the API server.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Counter } from 'prom-client';
import type { KubeClient } from '../../lib/kube/client.js';
import { NotFoundError } from '../../lib/kube/errors.js';
import type { Logger } from '../../lib/log.js';
import type { EventType, KubeObject, Recorder } from './types.js';

export interface EventRecorderOptions {
  client: KubeClient;
  writes: Counter<'verb' | 'kind'>;
  log: Logger;
  component?: string;
  instance?: string;
  /** Repeats inside this window are not written (default 60s). */
  aggregateWindowMs?: number;
  /** Remembered distinct events (default 4096; the oldest is forgotten first). */
  maxEntries?: number;
  now?: () => Date;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  pending: number;
  lastWriteAt: number;
}

const eventsPath = (ns: string): string => `/api/v1/namespaces/${encodeURIComponent(ns)}/events`;

export class EventRecorder implements Recorder {
  private readonly seen = new Map<string, Seen>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly component: string;
  private readonly instance: string;
  private readonly windowMs: number;
  private readonly maxEntries: number;
  private readonly now: () => Date;

  constructor(private readonly options: EventRecorderOptions) {
    this.component = options.component ?? 'headwater-controller';
    this.instance = options.instance ?? hostname();
    this.windowMs = options.aggregateWindowMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 4096;
    this.now = options.now ?? (() => new Date());
  }

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const m = obj.metadata;
    const identity = m.uid ?? `${obj.kind}/${m.namespace ?? ''}/${m.name ?? ''}`;
    const key = `${identity}\u0000${type}\u0000${reason}\u0000${message}`;
    const now = this.now();
    const prior = this.seen.get(key);
    if (prior && now.getTime() - prior.lastWriteAt < this.windowMs) {
      prior.pending++;
      return;
    }
    const write = prior ? this.bump(prior, now, obj, type, reason, message, key) : this.create(now, obj, type, reason, message, key);
    const tracked = write.catch((err: unknown) => {
      // Events are best effort: losing one must never fail a reconcile.
      this.options.log.warn('could not record event', { reason, object: `${m.namespace ?? ''}/${m.name ?? ''}`, err });
    });
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }

  private remember(key: string, entry: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, entry);
    if (this.seen.size > this.maxEntries) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }

  private async create(now: Date, obj: KubeObject, type: EventType, reason: string, message: string, key: string): Promise<void> {
    const m = obj.metadata;
    // Events of cluster-scoped objects live in `default`, as kubectl describe expects.
    const namespace = m.namespace || 'default';
    const name = `${m.name ?? 'object'}.${randomBytes(8).toString('hex')}`;
    const entry: Seen = { name, namespace, count: 1, pending: 0, lastWriteAt: now.getTime() };
    this.remember(key, entry);
    const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
      },
      type,
      reason,
      message,
      count: 1,
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      eventTime: null,
      source: { component: this.component },
      reportingComponent: this.component,
      reportingInstance: this.instance,
    };
    this.options.writes.inc({ verb: 'create', kind: 'Event' });
    await this.options.client.json({ method: 'POST', path: eventsPath(namespace), body });
  }

  private async bump(prior: Seen, now: Date, obj: KubeObject, type: EventType, reason: string, message: string, key: string): Promise<void> {
    const count = prior.count + prior.pending + 1;
    prior.count = count;
    prior.pending = 0;
    prior.lastWriteAt = now.getTime();
    this.remember(key, prior);
    const stamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.options.writes.inc({ verb: 'patch', kind: 'Event' });
    try {
      await this.options.client.json({
        method: 'PATCH',
        path: `${eventsPath(prior.namespace)}/${encodeURIComponent(prior.name)}`,
        body: { count, lastTimestamp: stamp },
        contentType: 'application/merge-patch+json',
      });
    } catch (err) {
      // The Event expired (default TTL 1h): start a new one.
      if (!(err instanceof NotFoundError)) throw err;
      this.seen.delete(key);
      await this.create(now, obj, type, reason, message, key);
    }
  }

  /** Wait for the writes in flight (shutdown, tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.inflight]);
  }
}
