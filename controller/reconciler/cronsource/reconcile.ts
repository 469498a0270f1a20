/**
 * CronSource: resolve the sink into status.sinkUri (which the shared cron adapter reads), keep the shared
 * adapter Deployment at one replica while any CronSource exists and at zero when none does, and reflect
 * that Deployment's availability in each source's `Deployed`.
 */
import type { SourceStatus } from '../../../api/index.js';
import { CRON_EVENT_TYPE, CronSourceKind } from '../../../api/index.js';
import { HeadwaterError } from '../../../lib/errors.js';
import { listerSinkLookup } from '../../sink/resolve.js';
import type { KubeObject, ObjectKey, ReconcileContext, Reconciler } from '../../runtime/types.js';
import { LABEL_KIND } from '../shared/adapter-deployment.js';
import type { Availability } from '../shared/deployment.js';
import { StaleCacheError, deploymentAvailability, ensureDeployment } from '../shared/deployment.js';
import { DeploymentGVK } from '../shared/kinds.js';
import { writeStatusIfChanged } from '../shared/status.js';
import { resolveSourceOutput } from '../source/output.js';
import type { SourceSpecDuck } from '../source/output.js';
import { nextSourceStatus } from '../source/status.js';
import { sourceWatches } from '../source/watches.js';
import { informerNamespaces } from '../../runtime/watch-namespaces.js';
import { buildCronAdapter } from './resources/mt-adapter.js';

const gvk = CronSourceKind.gvk;

function keyOf(obj: KubeObject): ObjectKey {
  return { namespace: obj.metadata.namespace as string, name: obj.metadata.name as string };
}

async function ensureSharedAdapter(ctx: ReconcileContext): Promise<{ availability: Availability; error?: string }> {
  const live = ctx.lister.list(gvk).filter((s) => s.metadata.deletionTimestamp === undefined);
  const watchNamespaces = informerNamespaces(ctx.config.watchNamespaces, ctx.config.systemNamespace);
  const desired = buildCronAdapter({
    namespace: ctx.config.systemNamespace,
    image: ctx.config.adapterImage,
    sourceCount: live.length,
    ...(watchNamespaces === undefined ? {} : { watchNamespaces }),
  });
  try {
    const { deployment, change } = await ensureDeployment(ctx, desired);
    if (change !== 'unchanged') ctx.log.info('shared cron adapter', { change, replicas: live.length > 0 ? 1 : 0 });
    return { availability: deploymentAvailability(deployment) };
  } catch (err) {
    if (err instanceof StaleCacheError) throw err;
    return {
      availability: { status: 'False', reason: 'DeploymentFailed', message: err instanceof Error ? err.message : String(err) },
      error: err instanceof Error ? err.message : String(err),
    };
  }
}

export function cronSourceReconciler(): Reconciler {
  const watches = sourceWatches(gvk).map((w) =>
    w.gvk === DeploymentGVK
      ? {
          gvk: DeploymentGVK,
          // The shared adapter has no owner: any change to it concerns every CronSource.
          mapToPrimaries: (dep: KubeObject, lister: Parameters<typeof w.mapToPrimaries>[1]) =>
            dep.metadata.labels?.[LABEL_KIND] === 'CronSource' && dep.metadata.ownerReferences === undefined
              ? lister.list(gvk).map(keyOf)
              : [],
        }
      : w,
  );
  return {
    gvk,
    watches,
    async reconcile(key, ctx) {
      const shared = await ensureSharedAdapter(ctx);
      const source = ctx.lister.get(gvk, key);
      if (source === undefined || source.metadata.deletionTimestamp !== undefined) {
        if (shared.error !== undefined) throw new HeadwaterError('SharedAdapterFailed', `Deployment ${ctx.config.systemNamespace}/headwater-cron-adapter: ${shared.error}`);
        return undefined;
      }
      const ns = source.metadata.namespace as string;
      const output = resolveSourceOutput(
        (source.spec ?? {}) as SourceSpecDuck,
        ns,
        source.metadata.name as string,
        ctx.lister,
        listerSinkLookup(ctx.lister),
        ctx.config.systemNamespace,
      );
      const prev = source.status as SourceStatus | undefined;
      const status = nextSourceStatus(
        prev,
        {
          generation: source.metadata.generation ?? 0,
          output,
          availability: shared.availability,
          ceAttributes: [{ type: CRON_EVENT_TYPE, source: `/apis/v1/namespaces/${ns}/cronsources/${source.metadata.name}` }],
        },
        ctx.now,
      );
      const before = prev?.conditions?.find((c) => c.type === 'Ready');
      const after = status.conditions?.find((c) => c.type === 'Ready');
      if ((await writeStatusIfChanged(ctx, gvk, source, status as Record<string, unknown>)) && after?.status === 'False' && after.reason !== before?.reason) {
        ctx.recorder.event(source, 'Warning', after.reason ?? 'NotReady', after.message ?? '');
      }
      if (shared.error !== undefined) throw new HeadwaterError('SharedAdapterFailed', `Deployment ${ctx.config.systemNamespace}/headwater-cron-adapter: ${shared.error}`);
      return undefined;
    },
  };
}
