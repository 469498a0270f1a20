/** Every reconciler the controller runs; controller/main.ts hands them to the manager. */
import type { Reconciler } from '../runtime/types.js';
import { cronSourceReconciler } from './cronsource/reconcile.js';
import type { BusProber } from './eventbus/prober.js';
import { networkBusProber } from './eventbus/prober.js';
import { clusterEventBusReconciler, eventBusReconciler } from './eventbus/reconcile.js';
import { kafkaSourceReconciler } from './kafkasource/reconcile.js';
import { redisStreamSourceReconciler } from './redisstreamsource/reconcile.js';
import { sinkBindingReconciler } from './sinkbinding/reconcile.js';
import { triggerReconciler } from './trigger/reconcile.js';

export interface ReconcilerOptions {
  /** How EventBus backends are probed (tests may pass their own). */
  busProber?: BusProber;
}

export function allReconcilers(options: ReconcilerOptions = {}): Reconciler[] {
  const prober = options.busProber ?? networkBusProber();
  return [
    cronSourceReconciler(),
    kafkaSourceReconciler(),
    redisStreamSourceReconciler(),
    sinkBindingReconciler(),
    eventBusReconciler(prober),
    clusterEventBusReconciler(prober),
    triggerReconciler(),
  ];
}
