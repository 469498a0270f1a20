/**
 * EventBus and ClusterEventBus: probe the backend, mark BackendReachable (and so Ready), and keep probing —
 * with backoff while it does not answer, at a slow pace while it does, so an outage shows up in status.
 */
import type { EventBusStatus, KindInfo } from '../../../api/index.js';
import { ClusterEventBusKind, ConditionTypes, EventBusKind, eventBusConditionSet } from '../../../api/index.js';
import { backoffDelay } from '../../../lib/backoff.js';
import type { EventBusSpec } from '../../../api/index.js';
import type { Reconciler } from '../../runtime/types.js';
import { busBackend } from '../shared/bus.js';
import { compact, writeStatusIfChanged } from '../shared/status.js';
import type { BusProber } from './prober.js';
import { networkBusProber, probeLeftUnchecked } from './prober.js';

export const HEALTHY_RECHECK_MS = 60_000;
const retryBackoff = { policy: 'exponential' as const, baseMs: 1000, maxMs: 60_000 };

function busReconciler(info: KindInfo, prober: BusProber): Reconciler {
  const failures = new Map<string, number>();
  return {
    gvk: info.gvk,
    async reconcile(key, ctx) {
      const id = `${key.namespace ?? ''}/${key.name}`;
      const bus = ctx.lister.get(info.gvk, key);
      if (bus === undefined || bus.metadata.deletionTimestamp !== undefined) {
        failures.delete(id);
        return undefined;
      }
      const spec = (bus.spec ?? {}) as EventBusSpec;
      const set = eventBusConditionSet(ctx.now);
      const prev = (bus.status ?? {}) as EventBusStatus;
      let conditions = set.initialize(prev.conditions);
      let requeueAfterMs: number;
      try {
        await prober.probe(spec);
        failures.delete(id);
        const unchecked = probeLeftUnchecked(spec);
        conditions =
          unchecked === undefined
            ? set.markTrue(conditions, ConditionTypes.BackendReachable)
            : set.markTrue(conditions, ConditionTypes.BackendReachable, 'BackendAnswered', unchecked);
        requeueAfterMs = HEALTHY_RECHECK_MS;
      } catch (err) {
        const attempt = (failures.get(id) ?? 0) + 1;
        failures.set(id, attempt);
        const message = err instanceof Error ? err.message : String(err);
        conditions = set.markFalse(
          conditions,
          ConditionTypes.BackendReachable,
          'BackendUnreachable',
          `${message}; check the address and that the server runs (retrying)`,
        );
        requeueAfterMs = backoffDelay(attempt, retryBackoff);
      }
      const status = compact({ ...prev, observedGeneration: bus.metadata.generation ?? 0, conditions, backend: busBackend(spec) });
      const before = prev.conditions?.find((c) => c.type === 'Ready');
      const after = conditions.find((c) => c.type === 'Ready');
      if ((await writeStatusIfChanged(ctx, info.gvk, bus, status)) && after?.status !== before?.status) {
        ctx.recorder.event(
          bus,
          after?.status === 'True' ? 'Normal' : 'Warning',
          after?.status === 'True' ? 'BackendReachable' : (after?.reason ?? 'BackendUnreachable'),
          after?.message ?? 'the backend answered',
        );
      }
      return { requeueAfterMs };
    },
  };
}

export function eventBusReconciler(prober: BusProber = networkBusProber()): Reconciler {
  return busReconciler(EventBusKind, prober);
}

export function clusterEventBusReconciler(prober: BusProber = networkBusProber()): Reconciler {
  return busReconciler(ClusterEventBusKind, prober);
}
