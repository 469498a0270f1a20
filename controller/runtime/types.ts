/**
 * The seam between reconcilers and the machinery that feeds them. Reconcilers read only through a
 * Lister (informer caches, so a steady resync costs no API calls) and write only through a Writer,
 * so a table test can hand them a fake of each and compare the recorded actions.
 */
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { Logger } from '../../lib/log.js';

export interface GroupVersionKind {
  group: string; // '' for the core group
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export interface ObjectKey {
  namespace?: string;
  name: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta;
  [field: string]: unknown;
}

export interface Lister {
  get(gvk: GroupVersionKind, key: ObjectKey): KubeObject | undefined;
  /** `labelSelector` uses equality only; namespace undefined = all namespaces. */
  list(gvk: GroupVersionKind, namespace?: string, labelSelector?: Record<string, string>): KubeObject[];
}

export interface Writer {
  create(gvk: GroupVersionKind, obj: KubeObject): Promise<KubeObject>;
  /** Full replace of the object (metadata.resourceVersion guards against lost updates). */
  update(gvk: GroupVersionKind, obj: KubeObject): Promise<KubeObject>;
  /** Replace of the status subresource only. */
  updateStatus(gvk: GroupVersionKind, obj: KubeObject): Promise<KubeObject>;
  /** JSON merge patch (RFC 7386). */
  patch(gvk: GroupVersionKind, key: ObjectKey, mergePatch: Record<string, unknown>): Promise<KubeObject>;
  delete(gvk: GroupVersionKind, key: ObjectKey): Promise<void>;
}

export type EventType = 'Normal' | 'Warning';

export interface Recorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

export interface ControllerConfig {
  /** The one image holding controller and adapters (env HEADWATER_ADAPTER_IMAGE). */
  adapterImage: string;
  /** Namespace of the controller and the shared multi-tenant cron adapter (env SYSTEM_NAMESPACE). */
  systemNamespace: string;
  /** Namespaces to watch (env WATCH_NAMESPACES; sorted, no duplicates); empty or absent = all namespaces. */
  watchNamespaces?: readonly string[];
}

export interface ReconcileContext {
  lister: Lister;
  writer: Writer;
  recorder: Recorder;
  log: Logger;
  config: ControllerConfig;
  now(): Date;
}

export interface ReconcileResult {
  /** Ask to be called again after this delay even without a change (e.g. waiting on something outside the cluster). */
  requeueAfterMs?: number;
}

export interface Reconciler {
  /** The primary kind this reconciler owns. */
  gvk: GroupVersionKind;
  /** Kinds whose changes re-queue a primary; `mapToPrimaries` says which primaries. */
  watches?: {
    gvk: GroupVersionKind;
    mapToPrimaries(obj: KubeObject, lister: Lister): ObjectKey[];
  }[];
  /** Level-triggered: called with the key; the object may already be gone (then clean up). */
  reconcile(key: ObjectKey, ctx: ReconcileContext): Promise<ReconcileResult | undefined>;
}
