import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { trimForCache } from '../../../../controller/runtime/cache-trim.js';
import { type KindInformer, NamespacedInformers } from '../../../../controller/runtime/namespaced-informer.js';
import type { InformerEvent, InformerHandler, InformerStats } from '../../../../lib/kube/informer.js';

/** An informer of one namespace holding fixed objects; records handlers and lifecycle calls. */
class FakeInformer implements KindInformer {
  readonly handlers: Record<InformerEvent, InformerHandler<KubernetesObject>[]> = { add: [], update: [], delete: [] };
  started = false;
  synced = false;
  private resolveSync: (() => void) | undefined;
  private readonly synchronised = new Promise<void>((r) => {
    this.resolveSync = r;
  });

  constructor(
    readonly namespace: string,
    private readonly objects: KubernetesObject[],
    readonly stats: InformerStats,
  ) {}

  on(event: InformerEvent, handler: InformerHandler<KubernetesObject>): void {
    this.handlers[event].push(handler);
  }
  sync(): void {
    this.synced = true;
    this.resolveSync?.();
  }
  hasSynced(): boolean {
    return this.synced;
  }
  waitForSync(): Promise<void> {
    return this.synchronised;
  }
  start(): void {
    this.started = true;
  }
  stop(): void {
    this.started = false;
  }
  get(name: string, namespace?: string): KubernetesObject | undefined {
    return this.objects.find((o) => o.metadata?.name === name && o.metadata?.namespace === namespace);
  }
  list(namespace?: string): readonly KubernetesObject[] {
    return namespace === undefined ? this.objects : this.objects.filter((o) => o.metadata?.namespace === namespace);
  }
}

const obj = (namespace: string, name: string): KubernetesObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { namespace, name } });
const stats = (n: number, lastProgressAt: number): InformerStats => ({ errorRestarts: n, watchdogRestarts: 2 * n, expired: 3 * n, lists: 1, lastProgressAt });

function pair(): { a: FakeInformer; b: FakeInformer; both: NamespacedInformers } {
  const a = new FakeInformer('a', [obj('a', 'x'), obj('a', 'y')], stats(1, 2000));
  const b = new FakeInformer('b', [obj('b', 'x')], stats(2, 1000));
  return { a, b, both: new NamespacedInformers(new Map([['a', a], ['b', b]])) };
}

describe('NamespacedInformers', () => {
  it('reads each namespace from its own informer and nothing outside them', () => {
    const { both } = pair();
    expect(both.get('x', 'a')).toEqual(obj('a', 'x'));
    expect(both.get('x', 'b')).toEqual(obj('b', 'x'));
    expect(both.get('y', 'b')).toBeUndefined();
    expect(both.get('x', 'elsewhere')).toBeUndefined();
    expect(both.get('x')).toBeUndefined();
    expect(both.list('a').map((o) => o.metadata?.name)).toEqual(['x', 'y']);
    expect(both.list('elsewhere')).toEqual([]);
    expect(both.list().map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual(['a/x', 'a/y', 'b/x']);
  });

  it('registers handlers on, starts and stops every namespace', () => {
    const { a, b, both } = pair();
    const handler = (): void => {};
    both.on('update', handler);
    expect(a.handlers.update).toEqual([handler]);
    expect(b.handlers.update).toEqual([handler]);
    both.start();
    expect([a.started, b.started]).toEqual([true, true]);
    both.stop();
    expect([a.started, b.started]).toEqual([false, false]);
  });

  it('is synced only when every namespace is', async () => {
    const { a, b, both } = pair();
    let done = false;
    const waiting = both.waitForSync().then(() => {
      done = true;
    });
    a.sync();
    await Promise.resolve();
    expect(both.hasSynced()).toBe(false);
    expect(done).toBe(false);
    b.sync();
    await waiting;
    expect(both.hasSynced()).toBe(true);
  });

  it('sums restart counters and reports the stalest progress', () => {
    expect(pair().both.stats).toEqual({ errorRestarts: 3, watchdogRestarts: 6, expired: 9, lists: 2, lastProgressAt: 1000 });
  });

  it('needs at least one namespace', () => {
    expect(() => new NamespacedInformers(new Map())).toThrow(RangeError);
  });
});

describe('trimForCache', () => {
  it('drops managedFields and keeps the rest of the metadata', () => {
    const o: KubernetesObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'd',
        namespace: 'n',
        labels: { a: 'b' },
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
        managedFields: [{ manager: 'headwater-controller', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
      },
    };
    trimForCache(o);
    expect(o.metadata).toEqual({ name: 'd', namespace: 'n', labels: { a: 'b' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } });
    expect('managedFields' in (o.metadata ?? {})).toBe(false);
  });
});
