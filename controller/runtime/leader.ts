/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules: a lease is expired when
 * this replica has seen no change to it for leaseDuration (measured on our own clock, so clock skew
 * between replicas does not matter); the holder renews every retryPeriod and gives up leadership if it
 * could not renew for renewDeadline, which is shorter than leaseDuration, so it stops before anyone else
 * may start. On a clean stop the holder releases the lease so a standby takes over at its next try.
 */
import type { Counter, Gauge } from 'prom-client';
import type { KubeClient } from '../../lib/kube/client.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../lib/kube/errors.js';
import type { Logger } from '../../lib/log.js';

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const defaultLeaderTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

export interface LeaderCallbacks {
  onStartedLeading(): void;
  onStoppedLeading(): void;
}

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number;
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: LeaseSpec;
}

/** MicroTime wants six fractional digits. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function validateLeaderConfig(c: LeaderElectionConfig): void {
  if (!(c.renewDeadlineMs < c.leaseDurationMs)) {
    throw new RangeError(`leader election: renewDeadline (${c.renewDeadlineMs}ms) must be shorter than leaseDuration (${c.leaseDurationMs}ms)`);
  }
  if (!(c.retryPeriodMs < c.renewDeadlineMs)) {
    throw new RangeError(`leader election: retryPeriod (${c.retryPeriodMs}ms) must be shorter than renewDeadline (${c.renewDeadlineMs}ms)`);
  }
}

export class LeaderElector {
  private leading = false;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private lastRenewAt = 0;
  /** The last lease record we saw and when we first saw it (our clock). */
  private observed: { key: string; at: number } | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly config: LeaderElectionConfig,
    private readonly callbacks: LeaderCallbacks,
    private readonly log: Logger,
    private readonly metrics: { leaseWrites: Counter; isLeader: Gauge },
  ) {
    validateLeaderConfig(config);
  }

  isLeader(): boolean {
    return this.leading;
  }

  private get path(): string {
    const { namespace, name } = this.config;
    return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases/${encodeURIComponent(name)}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        // Standbys add jitter so several of them do not hit the API server in lockstep.
        const period = this.config.retryPeriodMs;
        this.schedule(this.leading ? period : period + Math.floor(Math.random() * period * 0.2));
      });
    }, ms);
  }

  private setLeading(value: boolean): void {
    if (this.leading === value) return;
    this.leading = value;
    this.metrics.isLeader.set(value ? 1 : 0);
    this.log.info(value ? 'became leader' : 'stopped leading', { lease: `${this.config.namespace}/${this.config.name}`, identity: this.config.identity });
    if (value) this.callbacks.onStartedLeading();
    else this.callbacks.onStoppedLeading();
  }

  private async tick(): Promise<void> {
    try {
      await this.tryAcquireOrRenew();
    } catch (err) {
      this.log.warn('leader election attempt failed', { err });
    }
    if (this.leading && Date.now() - this.lastRenewAt > this.config.renewDeadlineMs) {
      this.log.error('could not renew the leader lease in time; giving up leadership', { renewDeadlineMs: this.config.renewDeadlineMs });
      this.setLeading(false);
    }
  }

  private signal(): AbortSignal {
    // A renew that has not answered by the deadline is as good as failed.
    return AbortSignal.timeout(Math.max(1000, this.config.renewDeadlineMs / 2));
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const now = new Date();
    const { identity, leaseDurationMs } = this.config;
    const wanted = (prev: LeaseSpec | undefined, ours: boolean): LeaseSpec => ({
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      acquireTime: ours && prev?.acquireTime ? prev.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: ours ? (prev?.leaseTransitions ?? 0) : (prev?.leaseTransitions ?? 0) + (prev?.holderIdentity ? 1 : 0),
    });
    let lease: Lease;
    try {
      lease = await this.client.json<Lease>({ method: 'GET', path: this.path, signal: this.signal() });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      const fresh: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.config.name, namespace: this.config.namespace },
        spec: wanted(undefined, false),
      };
      try {
        this.metrics.leaseWrites.inc();
        await this.client.json<Lease>({
          method: 'POST',
          path: `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.config.namespace)}/leases`,
          body: fresh,
          signal: this.signal(),
        });
      } catch (createErr) {
        if (createErr instanceof AlreadyExistsError) return; // someone else was faster
        throw createErr;
      }
      this.lastRenewAt = Date.now();
      this.setLeading(true);
      return;
    }
    const spec = lease.spec ?? {};
    const recordKey = JSON.stringify([spec.holderIdentity, spec.renewTime, lease.metadata.resourceVersion]);
    if (this.observed?.key !== recordKey) this.observed = { key: recordKey, at: Date.now() };
    const holder = spec.holderIdentity ?? '';
    const ours = holder === identity;
    const durationMs = (spec.leaseDurationSeconds ?? Math.ceil(leaseDurationMs / 1000)) * 1000;
    const expired = Date.now() - this.observed.at > durationMs;
    if (holder && !ours && !expired) {
      if (this.leading) this.setLeading(false); // someone took it over while we were not looking
      return;
    }
    const next: Lease = { ...lease, spec: wanted(spec, ours) };
    try {
      this.metrics.leaseWrites.inc();
      await this.client.json<Lease>({ method: 'PUT', path: this.path, body: next, signal: this.signal() });
    } catch (err) {
      if (err instanceof ConflictError) return; // changed under us: look again next round
      throw err;
    }
    this.lastRenewAt = Date.now();
    this.setLeading(true);
  }

  /** Stop competing; a leader releases the lease so a standby can take over without waiting for expiry. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.ticking;
    if (!this.leading) return;
    this.setLeading(false);
    try {
      const lease = await this.client.json<Lease>({ method: 'GET', path: this.path, signal: this.signal() });
      if (lease.spec?.holderIdentity !== this.config.identity) return;
      const now = microTime(new Date());
      this.metrics.leaseWrites.inc();
      await this.client.json<Lease>({
        method: 'PUT',
        path: this.path,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: null, leaseDurationSeconds: 1, renewTime: now, acquireTime: now } },
        signal: this.signal(),
      });
      this.log.info('released the leader lease', { lease: `${this.config.namespace}/${this.config.name}` });
    } catch (err) {
      this.log.warn('could not release the leader lease; a standby takes over when it expires', { err });
    }
  }
}
