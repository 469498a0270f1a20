/**
 * Registers the runner's Node and keeps it alive the way a kubelet does: a Lease in kube-node-lease
 * renewed every few seconds, and the Ready condition reposted, so the node-lifecycle controller
 * neither taints the node nor evicts its Pods.
 */
import { arch } from 'node:os';
import { V1MicroTime, type V1Node } from '@kubernetes/client-node';
import type { Logger } from '../../lib/log.js';
import { isStatus, type KubeEdge } from './kube.js';
import type { NodeIdentity } from './scheduling.js';

export const runnerVersion = 'v1.0.0-headwater-runner';

interface NodeConditionJson {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
}

function conditions(now: string, since: string): NodeConditionJson[] {
  const c = (type: string, status: 'True' | 'False', reason: string, message: string): NodeConditionJson => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: since,
  });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'runner has sufficient memory available'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'runner has no disk pressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID', 'runner has sufficient PID available'),
    c('Ready', 'True', 'KubeletReady', 'headwater process runner is posting ready status'),
  ];
}

/** The Node's status as JSON (times as strings: this goes straight into a merge patch). Pure. */
export function nodeStatus(now: string, since: string, hostIP: string, nodeName: string, kubeletPort: number): Record<string, unknown> {
  const resources = { cpu: '8', memory: '16Gi', pods: '250', 'ephemeral-storage': '100Gi' };
  return {
    capacity: resources,
    allocatable: resources,
    conditions: conditions(now, since),
    // InternalIP only: the apiserver dials the first address type it prefers (Hostname first), and the
    // node name does not resolve here.
    addresses: [{ type: 'InternalIP', address: hostIP }],
    daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
    nodeInfo: {
      machineID: nodeName,
      systemUUID: nodeName,
      bootID: nodeName,
      kernelVersion: '',
      osImage: 'headwater local node runner',
      containerRuntimeVersion: `process://node-${process.versions.node}`,
      kubeletVersion: runnerVersion,
      kubeProxyVersion: runnerVersion,
      operatingSystem: 'linux',
      architecture: arch() === 'x64' ? 'amd64' : arch(),
    },
  };
}

export interface HeartbeatOptions {
  identity: NodeIdentity;
  hostIP: string;
  /** Where kubelet-server.ts listens (0 = none), for `kubectl logs`. */
  kubeletPort: number;
  leaseDurationSeconds: number;
  renewEveryMs: number;
  log: Logger;
}

export class NodeHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private readonly since = new Date().toISOString();
  private stopped = false;

  constructor(
    private readonly kube: KubeEdge,
    private readonly o: HeartbeatOptions,
  ) {}

  /** Creates the Node (or brings labels and taints of an existing one in line) and posts the first status. */
  async register(): Promise<V1Node> {
    await this.ensureNode();
    await this.beat();
    const node = await this.kube.readNode();
    if (!node) throw new Error(`node ${this.o.identity.name} vanished right after registration`);
    this.schedule();
    return node;
  }

  private async ensureNode(): Promise<void> {
    const { name, labels, taints } = this.o.identity;
    const existing = await this.kube.readNode();
    if (!existing) {
      try {
        await this.kube.core.createNode({ body: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: { taints } } });
      } catch (err) {
        if (!isStatus(err, 409)) throw err;
      }
    } else {
      await this.kube.patchNode({ metadata: { labels }, spec: { taints, unschedulable: false } });
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.beat()
        .catch((err: unknown) => this.o.log.warn('node heartbeat failed', { err }))
        .finally(() => this.schedule());
    }, this.o.renewEveryMs);
  }

  private async beat(): Promise<void> {
    const status = nodeStatus(new Date().toISOString(), this.since, this.o.hostIP, this.o.identity.name, this.o.kubeletPort);
    try {
      await this.kube.patchNodeStatus(status);
    } catch (err) {
      // Someone deleted our Node: a kubelet registers again, and so do we (unless we are the one stopping).
      if (!isStatus(err, 404) || this.stopped) throw err;
      this.o.log.warn('node was deleted; registering it again');
      await this.ensureNode();
      await this.kube.patchNodeStatus(status);
    }
    await this.renewLease();
  }


  private async renewLease(): Promise<void> {
    const name = this.o.identity.name;
    const lease = await this.kube.readLease();
    // MicroTime: the apiserver wants six fractional digits, which a plain Date does not print.
    const renewTime = new V1MicroTime();
    if (!lease) {
      const node = await this.kube.readNode();
      await this.kube.coordination.createNamespacedLease({
        namespace: 'kube-node-lease',
        body: {
          metadata: {
            name,
            namespace: 'kube-node-lease',
            ...(node?.metadata?.uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid }] } : {}),
          },
          spec: { holderIdentity: name, leaseDurationSeconds: this.o.leaseDurationSeconds, renewTime },
        },
      });
      return;
    }
    const body = { metadata: lease.metadata, spec: { holderIdentity: name, leaseDurationSeconds: this.o.leaseDurationSeconds, renewTime } };
    await this.kube.coordination.replaceNamespacedLease({ namespace: 'kube-node-lease', name, body });
  }

  async stop(deleteNode: boolean): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!deleteNode) return;
    try {
      await this.kube.core.deleteNode({ name: this.o.identity.name });
    } catch (err) {
      if (!isStatus(err, 404)) throw err;
    }
  }
}
