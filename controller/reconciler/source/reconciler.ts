/**
 * The reconciler shared by sources that run one adapter Deployment each (KafkaSource, RedisStreamSource):
 * resolve the output, build the Deployment, create/update it only on drift, remove Deployments an older
 * spec left behind, propagate availability and write status only when it changed.
 */
import type { V1EnvVar } from '@kubernetes/client-node';
import type { CloudEventAttributes, KindInfo, SourceStatus } from '../../../api/index.js';
import { HeadwaterError } from '../../../lib/errors.js';
import { listerSinkLookup } from '../../sink/resolve.js';
import type { KubeObject, ObjectKey, ReconcileContext, Reconciler } from '../../runtime/types.js';
import type { AdapterRole } from '../shared/adapter-deployment.js';
import type { Availability } from '../shared/deployment.js';
import { DeploymentNotOwnedError, StaleCacheError, deleteStaleDeployments, deploymentAvailability, ensureDeployment } from '../shared/deployment.js';
import { DeploymentGVK } from '../shared/kinds.js';
import { writeStatusIfChanged } from '../shared/status.js';
import { resolveSourceOutput } from './output.js';
import { adapterDeploymentName, buildSourceAdapter } from './resources/adapter.js';
import { type AdapterReadinessCondition, nextSourceStatus } from './status.js';
import { sourceWatches } from './watches.js';

/** What differs between per-source kinds; everything else is shared. */
export interface SourceKind {
  info: KindInfo;
  role: AdapterRole;
  /** K_SOURCE_CONFIG: the spec plus controller defaults (e.g. a consumer group derived from the uid). */
  sourceConfig(source: KubeObject): Record<string, unknown>;
  secretEnv(source: KubeObject): V1EnvVar[];
  replicas(source: KubeObject): number;
  ceAttributes(source: KubeObject): CloudEventAttributes[];
  /** Informational conditions the adapter's readiness probe vouches for (KafkaSource); none when absent. */
  readinessConditions?(source: KubeObject): AdapterReadinessCondition[];
}

/** The Deployed condition for a Deployment we could not write. */
function reasonOf(err: unknown): { reason: string; message: string } {
  if (err instanceof DeploymentNotOwnedError) return { reason: 'DeploymentNotOwned', message: err.message };
  return { reason: 'DeploymentFailed', message: err instanceof Error ? err.message : String(err) };
}

export function makeSourceReconciler(kind: SourceKind): Reconciler {
  const gvk = kind.info.gvk;
  return {
    gvk,
    watches: sourceWatches(gvk),
    async reconcile(key: ObjectKey, ctx: ReconcileContext) {
      const source = ctx.lister.get(gvk, key);
      // Gone or going: the adapter Deployment carries an owner reference, so the garbage collector removes it.
      if (source === undefined || source.metadata.deletionTimestamp !== undefined) return undefined;
      const ns = source.metadata.namespace as string;
      const output = resolveSourceOutput(
        (source.spec ?? {}) as Parameters<typeof resolveSourceOutput>[0],
        ns,
        source.metadata.name as string,
        ctx.lister,
        listerSinkLookup(ctx.lister),
        ctx.config.systemNamespace,
      );

      const name = adapterDeploymentName(source);
      let availability: Availability = deploymentAvailability(ctx.lister.get(DeploymentGVK, { namespace: ns, name }));
      let deployError: { reason: string; message: string } | undefined;
      if (output.ok) {
        const desired = buildSourceAdapter({
          source,
          role: kind.role,
          image: ctx.config.adapterImage,
          output,
          sourceConfig: kind.sourceConfig(source),
          secretEnv: kind.secretEnv(source),
          replicas: kind.replicas(source),
        });
        try {
          const { deployment, change } = await ensureDeployment(ctx, desired);
          // Only a correction is worth an Event: a creation is routine (the Deployment itself, its owner
          // reference and the Deployed condition say so), and at a mass apply it was a write per source.
          if (change === 'updated') ctx.recorder.event(source, 'Normal', 'DeploymentUpdated', `updated Deployment ${name}`);
          availability = deploymentAvailability(deployment);
          await deleteStaleDeployments(ctx, source, name);
        } catch (err) {
          if (err instanceof StaleCacheError) throw err;
          deployError = reasonOf(err);
          ctx.log.warn('adapter deployment failed', { kind: gvk.kind, key, err });
        }
      }

      const prev = source.status as SourceStatus | undefined;
      const status = nextSourceStatus(
        prev,
        {
          generation: source.metadata.generation ?? 0,
          output,
          availability,
          ceAttributes: kind.ceAttributes(source),
          ...(kind.readinessConditions === undefined ? {} : { readinessConditions: kind.readinessConditions(source) }),
          ...(deployError === undefined ? {} : { deployError }),
        },
        ctx.now,
      );
      const wasReason = prev?.conditions?.find((c) => c.type === 'Ready');
      const nowReady = status.conditions?.find((c) => c.type === 'Ready');
      if (await writeStatusIfChanged(ctx, gvk, source, status as Record<string, unknown>)) {
        // One event per transition of Ready's reason, never on a steady resync.
        if (nowReady?.status === 'False' && nowReady.reason !== wasReason?.reason) {
          ctx.recorder.event(source, 'Warning', nowReady.reason ?? 'NotReady', nowReady.message ?? '');
        }
      }
      if (deployError !== undefined) throw new HeadwaterError('DeploymentFailed', deployError.message, { key });
      return undefined;
    },
  };
}
