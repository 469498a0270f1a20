/**
 * The Pod half of the runner: binds the unscheduled Pods this node may take, runs a PodWorker for each
 * Pod bound here, and on deletion stops the processes within the grace period and then finalizes the
 * deletion. Level-triggered: every change (or resync) re-reads the whole Pod cache and converges.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../lib/log.js';
import type { IpPool } from './ip-pool.js';
import type { KubeEdge } from './kube.js';
import { PodWorker, type PodWorkerDeps } from './pod-worker.js';
import { isUnscheduled, type NodeIdentity, unschedulableReason } from './scheduling.js';

export interface KubeletOptions {
  identity: NodeIdentity;
  kube: KubeEdge;
  pool: IpPool;
  workerDeps: PodWorkerDeps;
  /** Bind only Pods of these namespaces (a test's runner on a shared cluster); all when undefined. */
  bindNamespaces?: readonly string[];
  log: Logger;
}

function graceMs(pod: V1Pod): number {
  const seconds = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, seconds) * 1000;
}

export class Kubelet {
  private readonly workers = new Map<string, PodWorker>();
  private readonly terminating = new Map<string, Promise<void>>();
  private readonly binding = new Set<string>();
  private readonly lastPods = new Map<string, V1Pod>();

  constructor(private readonly o: KubeletOptions) {}

  private podKey(pod: V1Pod): string {
    return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  }

  /** Converges on the given Pods (the whole cache). Safe to call at any time, as often as wanted. */
  sync(pods: readonly V1Pod[]): void {
    const seen = new Set<string>();
    for (const pod of pods) {
      const uid = pod.metadata?.uid ?? '';
      seen.add(uid);
      if (isUnscheduled(pod)) {
        this.maybeBind(pod);
        continue;
      }
      if (pod.spec?.nodeName !== this.o.identity.name) continue;
      this.lastPods.set(uid, pod);
      if (pod.metadata?.deletionTimestamp) {
        if (!this.terminating.has(uid)) this.terminating.set(uid, this.finalize(pod));
        continue;
      }
      const existing = this.workers.get(uid);
      if (existing) {
        existing.update(pod);
        if (existing.podIP && pod.status?.podIP !== existing.podIP) existing.resync();
        continue;
      }
      const phase = pod.status?.phase;
      // A Pod that finished before this runner started has nothing left to run.
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      this.startWorker(pod);
    }
    for (const [uid, worker] of this.workers) {
      if (seen.has(uid) || this.terminating.has(uid)) continue;
      // Force-deleted (gone without a graceful deletion): stop the processes, nothing left to finalize.
      const pod = this.lastPods.get(uid);
      this.terminating.set(
        uid,
        this.stopWorker(uid, worker, pod ? graceMs(pod) : 0).finally(() => this.terminating.delete(uid)),
      );
    }
    for (const uid of [...this.terminating.keys()]) {
      if (!seen.has(uid) && !this.workers.has(uid)) this.terminating.delete(uid);
    }
  }

  private maybeBind(pod: V1Pod): void {
    const key = this.podKey(pod);
    if (this.binding.has(key)) return;
    if (this.o.bindNamespaces && !this.o.bindNamespaces.includes(pod.metadata?.namespace ?? '')) return;
    const reason = unschedulableReason(pod, this.o.identity);
    if (reason) return;
    this.binding.add(key);
    this.o.kube
      .bind(pod)
      .then(async (bound) => {
        if (!bound) return;
        this.o.log.info('pod bound', { pod: key });
        await this.o.kube.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${key} to ${this.o.identity.name}`);
      })
      .catch((err: unknown) => this.o.log.warn('binding failed', { pod: key, err }))
      .finally(() => this.binding.delete(key));
  }

  private startWorker(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const previousIP = pod.status?.podIP;
    const ip = previousIP && this.o.pool.reserve(previousIP, uid) ? previousIP : this.o.pool.allocate(uid);
    const worker = new PodWorker(pod, ip, this.o.workerDeps);
    this.workers.set(uid, worker);
    worker.log.info('pod starting', { podIP: ip });
    worker.start();
  }

  private async stopWorker(uid: string, worker: PodWorker, grace: number): Promise<void> {
    await worker.terminate(grace);
    this.workers.delete(uid);
    this.lastPods.delete(uid);
    this.o.pool.release(uid);
  }

  private async finalize(pod: V1Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? '';
    const worker = this.workers.get(uid);
    try {
      if (worker) await this.stopWorker(uid, worker, graceMs(pod));
      await this.o.kube.finalizePodDeletion(pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '', uid);
      this.o.log.info('pod deleted', { pod: this.podKey(pod) });
    } catch (err) {
      this.o.log.warn('finalizing pod deletion failed, will retry', { pod: this.podKey(pod), err });
      // Let the next sync try again.
      this.terminating.delete(uid);
      return;
    }
    this.lastPods.delete(uid);
  }

  /** Stops every process (the runner is going away); Pods stay bound, as with a kubelet that stops. */
  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.terminating.values()]);
    await Promise.all([...this.workers.entries()].map(([uid, w]) => this.stopWorker(uid, w, graceMs(this.lastPods.get(uid) ?? {}))));
  }
}
