/**
 * What re-queues a source besides its own changes: its adapter Deployment (availability), the Service a
 * sink points at (a URL that moves or vanishes), and the EventBus/ClusterEventBus it publishes to.
 */
import type { Destination } from '../../../api/index.js';
import { ClusterEventBusKind, EventBusKind } from '../../../api/index.js';
import type { GroupVersionKind, KubeObject, Lister, ObjectKey, Reconciler } from '../../runtime/types.js';
import { DeploymentGVK, ServiceGVK } from '../shared/kinds.js';
import type { SourceSpecDuck } from './output.js';

function keyOf(obj: KubeObject): ObjectKey {
  return obj.metadata.namespace === undefined
    ? { name: obj.metadata.name as string }
    : { namespace: obj.metadata.namespace, name: obj.metadata.name as string };
}

/** Destinations of a spec that may point at another object. */
export type DestinationsOf = (obj: KubeObject) => Destination[];

export const sourceDestinations: DestinationsOf = (obj) => {
  const spec = (obj.spec ?? {}) as SourceSpecDuck;
  const out: Destination[] = [];
  if (spec.sink !== undefined) out.push(spec.sink);
  if (spec.delivery?.deadLetterSink !== undefined) out.push(spec.delivery.deadLetterSink);
  return out;
};

function refersTo(dest: Destination, ownerNamespace: string | undefined, target: KubeObject): boolean {
  const ref = dest.ref;
  if (ref === undefined) return false;
  return (
    ref.apiVersion === target.apiVersion &&
    ref.kind === target.kind &&
    ref.name === target.metadata.name &&
    (ref.namespace ?? ownerNamespace) === target.metadata.namespace
  );
}

/** Primaries whose Destinations point at `target`. */
export function primariesReferring(gvk: GroupVersionKind, destinations: DestinationsOf) {
  return (target: KubeObject, lister: Lister): ObjectKey[] =>
    lister
      .list(gvk)
      .filter((p) => destinations(p).some((d) => refersTo(d, p.metadata.namespace, target)))
      .map(keyOf);
}

/** Primaries that name `bus` in `busName(primary)`: same namespace for an EventBus, any for a ClusterEventBus. */
export function primariesOnBus(gvk: GroupVersionKind, busName: (obj: KubeObject) => string | undefined) {
  return (bus: KubeObject, lister: Lister): ObjectKey[] =>
    lister
      .list(gvk, bus.kind === 'EventBus' ? bus.metadata.namespace : undefined)
      .filter((p) => busName(p) === bus.metadata.name)
      .map(keyOf);
}

/** The primary controlling a child through its owner reference. */
export function controllingOwner(gvk: GroupVersionKind) {
  return (child: KubeObject): ObjectKey[] => {
    const ref = child.metadata.ownerReferences?.find((r) => r.controller === true);
    if (ref === undefined || ref.kind !== gvk.kind || !ref.apiVersion.startsWith(`${gvk.group}/`)) return [];
    return [{ namespace: child.metadata.namespace as string, name: ref.name }];
  };
}

/** The watch list shared by per-source reconcilers (and, for the Service and bus parts, Cron and Trigger). */
export function sourceWatches(gvk: GroupVersionKind): NonNullable<Reconciler['watches']> {
  const busOf = (o: KubeObject) => ((o.spec ?? {}) as SourceSpecDuck).eventBus;
  return [
    { gvk: DeploymentGVK, mapToPrimaries: controllingOwner(gvk) },
    { gvk: ServiceGVK, mapToPrimaries: primariesReferring(gvk, sourceDestinations) },
    { gvk: EventBusKind.gvk, mapToPrimaries: primariesOnBus(gvk, busOf) },
    { gvk: ClusterEventBusKind.gvk, mapToPrimaries: primariesOnBus(gvk, busOf) },
  ];
}
