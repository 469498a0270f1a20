/**
 * Trigger: resolve the bus (EventBus, else ClusterEventBus), map inputs to topics, resolve every
 * subscriber's sink and dead-letter sink, and run the dispatcher Deployment; conditions EventBusReady,
 * SubscribersResolved, Deployed and the aggregate Ready.
 */
import type { Condition, Status, TriggerSpec } from '../../../api/index.js';
import { ConditionTypes, TriggerKind, triggerConditionSet } from '../../../api/index.js';
import { HeadwaterError } from '../../../lib/errors.js';
import { listerSinkLookup } from '../../sink/resolve.js';
import type { KubeObject, Reconciler } from '../../runtime/types.js';
import { busConfig, busSecretEnv, busUsability, findBus } from '../shared/bus.js';
import type { FoundBus } from '../shared/bus.js';
import { StaleCacheError, deleteStaleDeployments, deploymentAvailability, ensureDeployment } from '../shared/deployment.js';
import { DeploymentGVK, ServiceGVK } from '../shared/kinds.js';
import { compact, writeStatusIfChanged } from '../shared/status.js';
import type { DestinationsOf } from '../source/watches.js';
import { controllingOwner, primariesOnBus, primariesReferring } from '../source/watches.js';
import { ClusterEventBusKind, EventBusKind } from '../../../api/index.js';
import { buildDispatcher, dispatcherName } from './resources/dispatcher.js';
import { buildTriggerConfig } from './resources/trigger-config.js';
import { resolveSubscribers } from './subscribers.js';

const gvk = TriggerKind.gvk;

const triggerDestinations: DestinationsOf = (t) =>
  ((t.spec as TriggerSpec | undefined)?.subscribers ?? []).flatMap((s) =>
    [s.sink, s.deadLetterSink, s.delivery?.deadLetterSink].filter((d) => d !== undefined),
  );

function specOf(t: KubeObject): TriggerSpec {
  return (t.spec ?? {}) as TriggerSpec;
}

export function triggerReconciler(): Reconciler {
  const busOf = (t: KubeObject) => specOf(t).eventBus;
  return {
    gvk,
    watches: [
      { gvk: DeploymentGVK, mapToPrimaries: controllingOwner(gvk) },
      { gvk: ServiceGVK, mapToPrimaries: primariesReferring(gvk, triggerDestinations) },
      { gvk: EventBusKind.gvk, mapToPrimaries: primariesOnBus(gvk, busOf) },
      { gvk: ClusterEventBusKind.gvk, mapToPrimaries: primariesOnBus(gvk, busOf) },
    ],
    async reconcile(key, ctx) {
      const trigger = ctx.lister.get(gvk, key);
      if (trigger === undefined || trigger.metadata.deletionTimestamp !== undefined) return undefined;
      const ns = trigger.metadata.namespace as string;
      const spec = specOf(trigger);
      const set = triggerConditionSet(ctx.now);
      const prev = (trigger.status ?? {}) as Status;
      let conditions: Condition[] = set.initialize(prev.conditions);

      const bus = findBus(ctx.lister, ns, spec.eventBus);
      const usable = busUsability(bus, ns, ctx.config.systemNamespace, spec.eventBus);
      const config = bus === undefined ? undefined : busConfig(bus);
      if (!usable.usable) {
        conditions =
          usable.status === 'False'
            ? set.markFalse(conditions, ConditionTypes.EventBusReady, usable.reason, usable.message)
            : set.markUnknown(conditions, ConditionTypes.EventBusReady, usable.reason, usable.message);
      } else conditions = set.markTrue(conditions, ConditionTypes.EventBusReady);

      const subs = resolveSubscribers(spec, ns, listerSinkLookup(ctx.lister));
      if (subs.ok) conditions = set.markTrue(conditions, ConditionTypes.SubscribersResolved);
      else conditions = set.markFalse(conditions, ConditionTypes.SubscribersResolved, subs.reason, subs.message);

      let deployment = ctx.lister.get(DeploymentGVK, { namespace: ns, name: dispatcherName(trigger) });
      let deployError: string | undefined;
      if (usable.usable && config !== undefined && subs.ok) {
        const desired = buildDispatcher(
          trigger,
          ctx.config.adapterImage,
          buildTriggerConfig(spec, ns, config, subs.subscribers),
          busSecretEnv(bus as FoundBus),
        );
        try {
          const result = await ensureDeployment(ctx, desired);
          deployment = result.deployment;
          await deleteStaleDeployments(ctx, trigger, dispatcherName(trigger));
          // As for sources: an Event for a correction of the Deployment, none for its routine creation.
          if (result.change === 'updated') ctx.recorder.event(trigger, 'Normal', 'DeploymentUpdated', `updated Deployment ${dispatcherName(trigger)}`);
        } catch (err) {
          if (err instanceof StaleCacheError) throw err;
          deployError = err instanceof Error ? err.message : String(err);
        }
      }
      if (deployError !== undefined) {
        conditions = set.markFalse(conditions, ConditionTypes.Deployed, 'DeploymentFailed', deployError);
      } else {
        const a = deploymentAvailability(deployment);
        if (a.status === 'True') conditions = set.markTrue(conditions, ConditionTypes.Deployed);
        else if (a.status === 'False') conditions = set.markFalse(conditions, ConditionTypes.Deployed, a.reason ?? 'DeploymentUnavailable', a.message ?? '');
        else conditions = set.markUnknown(conditions, ConditionTypes.Deployed, a.reason ?? 'DeploymentUnavailable', a.message ?? '');
      }

      const status = compact({ ...prev, observedGeneration: trigger.metadata.generation ?? 0, conditions });
      const before = prev.conditions?.find((c) => c.type === 'Ready');
      const after = conditions.find((c) => c.type === 'Ready');
      if ((await writeStatusIfChanged(ctx, gvk, trigger, status)) && after?.status === 'False' && after.reason !== before?.reason) {
        ctx.recorder.event(trigger, 'Warning', after.reason ?? 'NotReady', after.message ?? '');
      }
      if (deployError !== undefined) throw new HeadwaterError('DeploymentFailed', deployError, { key });
      return undefined;
    },
  };
}
