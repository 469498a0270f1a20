/**
 * Create or update a Deployment only when the live one differs from the desired one on the fields we set,
 * and read its availability for the owner's `Deployed` condition.
 */
import type { V1Deployment } from '@kubernetes/client-node';
import { HeadwaterError } from '../../../lib/errors.js';
import { BINDING_MARKER_ANNOTATION } from '../../binding/apply.js';
import { AlreadyExistsError, ConflictError } from '../../runtime/errors.js';
import type { KubeObject, ReconcileContext } from '../../runtime/types.js';
import { adapterSelector } from './adapter-deployment.js';
import { DeploymentGVK } from './kinds.js';
import { containsDesired } from './semantic.js';

/**
 * The informer cache is behind the apiserver (our own earlier write not seen yet). Reconcilers let it
 * propagate (the queue retries) without reporting it in status, where it would only flap.
 */
export class StaleCacheError extends HeadwaterError {
  constructor(namespace: string, name: string, cause: unknown) {
    super('StaleCache', `Deployment ${namespace}/${name}: the cache is behind the apiserver; retrying`, { namespace, name }, { cause });
  }
}

/** A Deployment of the wanted name exists but another object controls it: we must not take it over. */
export class DeploymentNotOwnedError extends HeadwaterError {
  constructor(namespace: string, name: string, owner: string) {
    super(
      'DeploymentNotOwned',
      `Deployment ${namespace}/${name} exists and is controlled by ${owner}; delete or rename it so the controller can create its own`,
      { namespace, name, owner },
    );
  }
}

function templateMarker(dep: KubeObject): string | undefined {
  return (dep as V1Deployment).spec?.template?.metadata?.annotations?.[BINDING_MARKER_ANNOTATION];
}

/** True when `live` already carries everything `desired` sets (defaults and others' additions tolerated). */
export function deploymentUpToDate(desired: KubeObject, live: KubeObject): boolean {
  return (
    containsDesired(desired.metadata.labels ?? {}, live.metadata.labels ?? {}) &&
    containsDesired(desired.metadata.ownerReferences ?? [], live.metadata.ownerReferences ?? []) &&
    containsDesired(desired.spec, live.spec) &&
    // the marker may vanish (a source moving to the bus path): that is drift a subset check cannot see
    templateMarker(desired) === templateMarker(live)
  );
}

function controllerOf(obj: KubeObject): { uid: string; label: string } | undefined {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller === true);
  return ref === undefined ? undefined : { uid: ref.uid, label: `${ref.kind} ${ref.name}` };
}

export type DeploymentChange = 'created' | 'updated' | 'unchanged';

export async function ensureDeployment(
  ctx: ReconcileContext,
  desired: KubeObject,
): Promise<{ deployment: KubeObject; change: DeploymentChange }> {
  const key = { namespace: desired.metadata.namespace as string, name: desired.metadata.name as string };
  const live = ctx.lister.get(DeploymentGVK, key);
  if (live === undefined) {
    try {
      return { deployment: await ctx.writer.create(DeploymentGVK, desired), change: 'created' };
    } catch (err) {
      // The cache has not seen our own create yet: not a failure, the informer event re-queues us.
      if (err instanceof AlreadyExistsError) throw new StaleCacheError(key.namespace, key.name, err);
      throw err;
    }
  }
  const wantedOwner = controllerOf(desired);
  const liveOwner = controllerOf(live);
  if (wantedOwner !== undefined && liveOwner !== undefined && liveOwner.uid !== wantedOwner.uid) {
    throw new DeploymentNotOwnedError(key.namespace, key.name, liveOwner.label);
  }
  if (deploymentUpToDate(desired, live)) return { deployment: live, change: 'unchanged' };
  const next: KubeObject = {
    ...live,
    metadata: {
      ...live.metadata,
      labels: { ...(live.metadata.labels ?? {}), ...(desired.metadata.labels ?? {}) },
      ...(desired.metadata.ownerReferences === undefined ? {} : { ownerReferences: desired.metadata.ownerReferences }),
    },
    spec: desired.spec,
  };
  try {
    return { deployment: await ctx.writer.update(DeploymentGVK, next), change: 'updated' };
  } catch (err) {
    if (err instanceof ConflictError) throw new StaleCacheError(key.namespace, key.name, err);
    throw err;
  }
}

export interface Availability {
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/** The Deployment's `Available` condition, as the owner's `Deployed` condition should show it. */
export function deploymentAvailability(dep: KubeObject | undefined): Availability {
  if (dep === undefined) {
    return { status: 'Unknown', reason: 'DeploymentUnavailable', message: 'the adapter Deployment does not exist yet' };
  }
  const conditions = (dep as V1Deployment).status?.conditions ?? [];
  const available = conditions.find((c) => c.type === 'Available');
  if (available === undefined) {
    return {
      status: 'Unknown',
      reason: 'DeploymentUnavailable',
      message: `Deployment ${dep.metadata.name} has not reported availability yet`,
    };
  }
  if (available.status === 'True') return { status: 'True' };
  return {
    status: available.status === 'False' ? 'False' : 'Unknown',
    reason: 'DeploymentUnavailable',
    message: available.message ?? `Deployment ${dep.metadata.name} is not available`,
  };
}

/** Adapter Deployments of `owner` under a name the current spec no longer produces (owned by it, so ours to remove). */
export async function deleteStaleDeployments(ctx: ReconcileContext, owner: KubeObject, keep: string): Promise<void> {
  const ns = owner.metadata.namespace as string;
  const candidates = ctx.lister.list(DeploymentGVK, ns, adapterSelector(owner.kind, owner.metadata.name as string));
  for (const dep of candidates) {
    const owned = dep.metadata.ownerReferences?.some((r) => r.controller === true && r.uid === owner.metadata.uid);
    if (!owned || dep.metadata.name === keep) continue;
    await ctx.writer.delete(DeploymentGVK, { namespace: ns, name: dep.metadata.name as string });
    ctx.recorder.event(owner, 'Normal', 'DeploymentDeleted', `deleted Deployment ${dep.metadata.name} left by an older spec`);
  }
}
