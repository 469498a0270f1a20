import { describe, expect, it } from 'vitest';
import type { EventBusSpec } from '../../../../api/index.js';
import { BusUnreachableError, type BusProber } from '../../../../controller/reconciler/eventbus/prober.js';
import { HEALTHY_RECHECK_MS, clusterEventBusReconciler, eventBusReconciler } from '../../../../controller/reconciler/eventbus/reconcile.js';
import type { KubeObject } from '../../../../controller/runtime/types.js';
import { FakeKube } from '../../../support/fake-kube.js';
import { NS, condition, statusOf } from './fixtures.js';

/** A prober whose answer the test sets: a fake is fine here, the real one has its own integration test. */
function scriptedProber(): BusProber & { up: boolean; calls: EventBusSpec[] } {
  const p = {
    up: true,
    calls: [] as EventBusSpec[],
    async probe(spec: EventBusSpec) {
      p.calls.push(spec);
      if (!p.up) throw new BusUnreachableError('nats', 'nats://n:4222', 'connect ECONNREFUSED');
    },
  };
  return p;
}

const bus = (kind: 'EventBus' | 'ClusterEventBus'): KubeObject => ({
  apiVersion: 'eventing.headwater.dev/v1alpha1',
  kind,
  metadata: kind === 'EventBus' ? { name: 'main', namespace: NS, generation: 1 } : { name: 'main', generation: 1 },
  spec: { nats: { url: 'nats://n:4222' } },
});

describe.each([
  ['EventBus', eventBusReconciler, { namespace: NS, name: 'main' }],
  ['ClusterEventBus', clusterEventBusReconciler, { name: 'main' }],
] as const)('%s reconciler', (kind, make, key) => {
  it('marks Ready when the backend answers, rechecks slowly, and a steady resync writes nothing', async () => {
    const prober = scriptedProber();
    const kube = new FakeKube([bus(kind)]);
    const r = make(prober);
    const result = await r.reconcile(key, kube.context());
    expect(result?.requeueAfterMs).toBe(HEALTHY_RECHECK_MS);
    expect(kube.summary()).toEqual([`updateStatus ${kind} ${kind === 'EventBus' ? 'ns/' : ''}main`]);
    const b = kube.find('eventing.headwater.dev/v1alpha1', kind, kind === 'EventBus' ? NS : undefined, 'main');
    expect(condition(b, 'Ready')).toMatchObject({ status: 'True' });
    expect(condition(b, 'BackendReachable')).toMatchObject({ status: 'True' });
    expect(statusOf(b).backend).toBe('nats');
    expect(prober.calls).toEqual([{ nats: { url: 'nats://n:4222' } }]);
    kube.clearRecords();
    await r.reconcile(key, kube.context());
    expect(kube.writes()).toBe(0);
  });

  it('marks Ready False with backoff while unreachable and recovers', async () => {
    const prober = scriptedProber();
    prober.up = false;
    const kube = new FakeKube([bus(kind)]);
    const r = make(prober);
    const first = await r.reconcile(key, kube.context());
    const second = await r.reconcile(key, kube.context());
    expect(first?.requeueAfterMs).toBe(1000);
    expect(second?.requeueAfterMs).toBe(2000);
    const b = kube.find('eventing.headwater.dev/v1alpha1', kind, kind === 'EventBus' ? NS : undefined, 'main');
    expect(condition(b, 'Ready')).toMatchObject({ status: 'False', reason: 'BackendUnreachable' });
    expect(condition(b, 'Ready')?.message).toMatch(/nats:\/\/n:4222: connect ECONNREFUSED; check the address/);
    expect(kube.events.map((e) => `${e.type} ${e.reason}`)).toEqual(['Warning BackendUnreachable']);
    prober.up = true;
    const third = await r.reconcile(key, kube.context());
    expect(third?.requeueAfterMs).toBe(HEALTHY_RECHECK_MS);
    expect(condition(kube.find('eventing.headwater.dev/v1alpha1', kind, kind === 'EventBus' ? NS : undefined, 'main'), 'Ready')).toMatchObject({ status: 'True' });
  });
});
