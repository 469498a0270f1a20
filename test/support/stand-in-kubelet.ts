/**
 * A stand-in for a kubelet (as kwok does), for integration tests against a control plane with no nodes:
 * it registers a Node and keeps its Lease and Ready condition fresh, binds Pending pods to it (no scheduler
 * runs), marks them Running and Ready, and confirms graceful deletions. With it the real
 * kube-controller-manager sees ReplicaSets fill and Deployments become Available.
 */
import { KubeClient } from '../../lib/kube/client.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../lib/kube/errors.js';
import { sleep } from '../../lib/backoff.js';
import type { KubeConfig } from '@kubernetes/client-node';

interface PodView {
  metadata: { name: string; namespace: string; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { name: string; image: string }[]; initContainers?: { name: string; image: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

export interface StandInKubeletOptions {
  nodeName?: string;
  /** Only pods in these namespaces are handled (the cluster is shared with other tests); all when unset. */
  namespaces?: () => readonly string[];
  pollMs?: number;
  heartbeatMs?: number;
}

export class StandInKubelet {
  readonly nodeName: string;
  private readonly client: KubeClient;
  private readonly opts: StandInKubeletOptions;
  private stopped = false;
  private loops: Promise<void>[] = [];
  private ipCounter = 2;
  /** Pods marked Ready so far, as ns/name: tests can assert the stand-in actually did something. */
  readonly readied = new Set<string>();

  constructor(kubeConfig: KubeConfig, opts: StandInKubeletOptions = {}) {
    this.client = new KubeClient(kubeConfig);
    this.nodeName = opts.nodeName ?? 'headwater-stand-in';
    this.opts = opts;
  }

  async start(): Promise<void> {
    await this.registerNode();
    await this.heartbeat();
    this.loops = [this.loop(this.opts.heartbeatMs ?? 10_000, () => this.heartbeat()), this.loop(this.opts.pollMs ?? 500, () => this.syncPods())];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.loops);
  }

  private async loop(everyMs: number, step: () => Promise<void>): Promise<void> {
    while (!this.stopped) {
      try {
        await step();
      } catch {
        // a failed round (apiserver restart, a conflict) is retried on the next tick
      }
      await sleep(everyMs);
    }
  }

  private async registerNode(): Promise<void> {
    try {
      await this.client.json({
        method: 'POST',
        path: '/api/v1/nodes',
        body: {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: this.nodeName, labels: { 'kubernetes.io/hostname': this.nodeName, type: 'stand-in-kubelet' } },
          spec: {},
        },
      });
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }

  private async heartbeat(): Promise<void> {
    const now = new Date().toISOString();
    await this.client.json({
      method: 'PATCH',
      path: `/api/v1/nodes/${this.nodeName}/status`,
      contentType: 'application/merge-patch+json',
      body: {
        status: {
          capacity: { cpu: '16', memory: '64Gi', pods: '250' },
          allocatable: { cpu: '16', memory: '64Gi', pods: '250' },
          addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
          conditions: [
            { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'stand-in kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now },
          ],
          nodeInfo: {
            kubeletVersion: 'v0.0.0-stand-in',
            architecture: 'amd64',
            operatingSystem: 'linux',
            machineID: '',
            systemUUID: '',
            bootID: '',
            kernelVersion: '',
            osImage: '',
            containerRuntimeVersion: '',
            kubeProxyVersion: '',
          },
        },
      },
    });
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.nodeName, namespace: 'kube-node-lease' },
      spec: { holderIdentity: this.nodeName, leaseDurationSeconds: 40, renewTime: new Date().toISOString().replace('Z', '000Z') },
    };
    try {
      await this.client.json({
        method: 'PATCH',
        path: `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${this.nodeName}`,
        contentType: 'application/merge-patch+json',
        body: { spec: lease.spec },
      });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      await this.client.json({ method: 'POST', path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', body: lease });
    }
  }

  private async syncPods(): Promise<void> {
    const list = await this.client.json<{ items: PodView[] }>({ method: 'GET', path: '/api/v1/pods' });
    const allowed = this.opts.namespaces?.();
    for (const pod of list.items) {
      if (allowed !== undefined && !allowed.includes(pod.metadata.namespace)) continue;
      try {
        await this.syncPod(pod);
      } catch (err) {
        if (!(err instanceof NotFoundError || err instanceof ConflictError)) throw err;
      }
    }
  }

  private async syncPod(pod: PodView): Promise<void> {
    const { name, namespace } = pod.metadata;
    const path = `/api/v1/namespaces/${namespace}/pods/${name}`;
    if (pod.spec.nodeName === undefined || pod.spec.nodeName === '') {
      if (pod.metadata.deletionTimestamp !== undefined) return;
      await this.client.json({
        method: 'POST',
        path: `${path}/binding`,
        body: { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace }, target: { apiVersion: 'v1', kind: 'Node', name: this.nodeName } },
      });
      return;
    }
    if (pod.spec.nodeName !== this.nodeName) return;
    if (pod.metadata.deletionTimestamp !== undefined) {
      // What a kubelet does once the containers stopped: confirm the deletion.
      await this.client.json({ method: 'DELETE', path, body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 } });
      return;
    }
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    if (pod.status?.phase === 'Running' && ready) return;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const cond = (type: string) => ({ type, status: 'True', lastTransitionTime: now });
    const running = (c: { name: string; image: string }) => ({
      name: c.name,
      image: c.image,
      imageID: `stand-in://${c.image}`,
      containerID: `stand-in://${namespace}/${name}/${c.name}`,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    });
    const terminated = (c: { name: string; image: string }) => ({
      name: c.name,
      image: c.image,
      imageID: `stand-in://${c.image}`,
      ready: true,
      restartCount: 0,
      state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } },
    });
    const ip = `10.244.0.${this.ipCounter++ % 250}`;
    await this.client.json({
      method: 'PATCH',
      path: `${path}/status`,
      contentType: 'application/merge-patch+json',
      body: {
        status: {
          phase: 'Running',
          hostIP: '127.0.0.1',
          podIP: ip,
          podIPs: [{ ip }],
          startTime: now,
          conditions: [cond('PodScheduled'), cond('Initialized'), cond('ContainersReady'), cond('Ready')],
          containerStatuses: pod.spec.containers.map(running),
          ...(pod.spec.initContainers === undefined ? {} : { initContainerStatuses: pod.spec.initContainers.map(terminated) }),
        },
      },
    });
    this.readied.add(`${namespace}/${name}`);
  }
}
