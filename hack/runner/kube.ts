/**
 * The runner's thin edge to the apiserver: the few calls a kubelet makes, with 404 and 409 turned into
 * values where the caller has a sensible answer to them.
 */
import { randomBytes } from 'node:crypto';
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  type KubeConfig,
  PatchStrategy,
  type V1Lease,
  type V1Node,
  type V1Pod,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { ConfigSource } from './env-resolver.js';
import type { PodStatusJson } from './pod-status.js';

export function isStatus(err: unknown, code: number): boolean {
  return err instanceof ApiException && err.code === code;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function decode(data: Record<string, string> | undefined, base64: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data ?? {})) out[k] = base64 ? Buffer.from(v, 'base64').toString('utf8') : v;
  return out;
}

export class KubeEdge implements ConfigSource {
  readonly core: CoreV1Api;
  readonly coordination: CoordinationV1Api;

  constructor(
    readonly kc: KubeConfig,
    private readonly nodeName: string,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
  }

  async secret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    try {
      const s = await this.core.readNamespacedSecret({ namespace, name });
      // The client hands `data` back as the base64 text the apiserver sent.
      return { ...decode(s.data, true), ...decode(s.stringData, false) };
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  async configMap(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    try {
      const cm = await this.core.readNamespacedConfigMap({ namespace, name });
      return { ...decode(cm.binaryData, true), ...decode(cm.data, false) };
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  /** Binds a Pod to this node; false when someone else bound it first. */
  async bind(pod: V1Pod): Promise<boolean> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    try {
      await this.core.createNamespacedBinding({
        namespace,
        body: {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name, namespace, ...(pod.metadata?.uid ? { uid: pod.metadata.uid } : {}) },
          target: { apiVersion: 'v1', kind: 'Node', name: this.nodeName },
        },
      });
      return true;
    } catch (err) {
      if (isStatus(err, 409) || isStatus(err, 404)) return false;
      throw err;
    }
  }

  async patchPodStatus(namespace: string, name: string, status: PodStatusJson): Promise<void> {
    await this.core.patchNamespacedPodStatus({ namespace, name, body: { status } }, mergePatch);
  }

  /** Finalizes a deletion the kubelet's way: delete with grace 0, guarded by the uid. */
  async finalizePodDeletion(namespace: string, name: string, uid: string | undefined): Promise<void> {
    try {
      await this.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0, ...(uid ? { preconditions: { uid } } : {}) } });
    } catch (err) {
      if (isStatus(err, 404) || isStatus(err, 409)) return;
      throw err;
    }
  }

  async event(pod: V1Pod, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const at = new Date();
    await this.core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { name: `${pod.metadata?.name ?? 'pod'}.${randomBytes(8).toString('hex')}`, namespace },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace, name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
        type,
        reason,
        message,
        source: { component: 'kubelet', host: this.nodeName },
        reportingComponent: 'kubelet',
        reportingInstance: this.nodeName,
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
      },
    });
  }

  async readNode(): Promise<V1Node | undefined> {
    try {
      return await this.core.readNode({ name: this.nodeName });
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  async readLease(): Promise<V1Lease | undefined> {
    try {
      return await this.coordination.readNamespacedLease({ namespace: 'kube-node-lease', name: this.nodeName });
    } catch (err) {
      if (isStatus(err, 404)) return undefined;
      throw err;
    }
  }

  async patchNodeStatus(status: Record<string, unknown>): Promise<void> {
    await this.core.patchNodeStatus({ name: this.nodeName, body: { status } }, mergePatch);
  }

  async patchNode(patch: Record<string, unknown>): Promise<void> {
    await this.core.patchNode({ name: this.nodeName, body: patch }, mergePatch);
  }
}
