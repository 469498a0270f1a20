/**
 * Kinds the controller knows nothing about: a custom Addressable as a sink (read through the manager's
 * lazily started informer, plural derived from the kind) and a custom PodSpecable as a SinkBinding subject.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../controller/runtime/types.js';
import { type EnvVar, type Harness, conditionOf, getOrUndefined, mergePatch, pathOf, startHarness, waitFor } from './harness.js';

const SOURCES = 'sources.headwater.dev/v1alpha1';
const GADGETS = 'test.headwater.dev/v1';
const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gadgets.test.headwater.dev' },
    spec: {
      group: 'test.headwater.dev',
      names: { kind: 'Gadget', plural: 'gadgets', singular: 'gadget', listKind: 'GadgetList' },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
  await h.client.json({ method: 'POST', path: crdPath, body: crd }).catch(() => {});
  await waitFor('Gadget CRD served', async () => {
    const live = await getOrUndefined(h.client, `${crdPath}/gadgets.test.headwater.dev`);
    return (live?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')
      ? true
      : undefined;
  });
});
afterAll(async () => {
  await h?.stop();
  await h?.client.json({ method: 'DELETE', path: `${crdPath}/gadgets.test.headwater.dev` }).catch(() => {});
});

async function gadget(name: string, spec: Record<string, unknown>): Promise<void> {
  await h.client.json({ method: 'POST', path: pathOf(GADGETS, 'gadgets', h.ns), body: { apiVersion: GADGETS, kind: 'Gadget', metadata: { name, namespace: h.ns }, spec } });
}

describe('a custom Addressable as a sink', () => {
  it('resolves to status.address.url, waits for it, and follows it', async () => {
    await gadget('addr', { note: 'no address yet' });
    const srcPath = pathOf(SOURCES, 'kafkasources', h.ns, 'to-gadget');
    await h.client.json({
      method: 'POST',
      path: pathOf(SOURCES, 'kafkasources', h.ns),
      body: {
        apiVersion: SOURCES,
        kind: 'KafkaSource',
        metadata: { name: 'to-gadget', namespace: h.ns },
        spec: { bootstrapServers: ['127.0.0.1:9092'], topics: ['t'], sink: { ref: { apiVersion: GADGETS, kind: 'Gadget', name: 'addr' }, uri: '/in' } },
      },
    });
    await waitFor('SinkNotAddressable', async () => {
      const o = await getOrUndefined(h.client, srcPath);
      return conditionOf(o, 'SinkProvided')?.reason === 'SinkNotAddressable' ? o : undefined;
    });
    const gadgetStatus = pathOf(GADGETS, 'gadgets', h.ns, 'addr/status');
    await mergePatch(h.client, gadgetStatus, { status: { address: { url: 'http://gadget.example.test/base/' } } });
    const ready = await waitFor('sinkUri from the Gadget', async () => {
      const o = await getOrUndefined(h.client, srcPath);
      return (o?.status as { sinkUri?: string } | undefined)?.sinkUri === 'http://gadget.example.test/in' ? o : undefined;
    });
    expect(conditionOf(ready, 'SinkProvided')?.status).toBe('True');
    await mergePatch(h.client, gadgetStatus, { status: { address: { url: 'http://moved.example.test/' } } });
    await waitFor('sinkUri follows the Gadget', async () => {
      const o = await getOrUndefined(h.client, srcPath);
      return (o?.status as { sinkUri?: string } | undefined)?.sinkUri === 'http://moved.example.test/in' ? o : undefined;
    });
  });
});

describe('a custom PodSpecable as a SinkBinding subject', () => {
  it('gets the env in spec.template and loses exactly that when the binding goes', async () => {
    const template = { metadata: { labels: { app: 'g' } }, spec: { containers: [{ name: 'main', image: 'app', env: [{ name: 'KEEP', value: 'me' }] }] } };
    await gadget('work', { template });
    const bindingPath = pathOf(SOURCES, 'sinkbindings', h.ns, 'gadget-binding');
    await h.client.json({
      method: 'POST',
      path: pathOf(SOURCES, 'sinkbindings', h.ns),
      body: {
        apiVersion: SOURCES,
        kind: 'SinkBinding',
        metadata: { name: 'gadget-binding', namespace: h.ns },
        spec: { subject: { apiVersion: GADGETS, kind: 'Gadget', name: 'work' }, sink: { uri: 'http://plain.example.test/sink' } },
      },
    });
    const workPath = pathOf(GADGETS, 'gadgets', h.ns, 'work');
    const envOf = async () =>
      ((await getOrUndefined(h.client, workPath))?.spec as { template?: { spec: { containers: { env?: EnvVar[] }[] } } } | undefined)?.template?.spec.containers[0]?.env ?? [];
    await waitFor('Gadget bound', async () => ((await envOf()).some((e) => e.name === 'K_SINK' && e.value === 'http://plain.example.test/sink') ? true : undefined));
    const b = await waitFor('binding Ready', async () => {
      const o = await getOrUndefined(h.client, bindingPath);
      return conditionOf(o, 'Ready')?.status === 'True' ? o : undefined;
    });
    expect(conditionOf(b, 'BindingAvailable')?.status).toBe('True');
    await h.client.json({ method: 'DELETE', path: bindingPath });
    await waitFor('binding gone', async () => ((await getOrUndefined(h.client, bindingPath)) === undefined ? true : undefined));
    const live = (await getOrUndefined(h.client, workPath)) as KubeObject;
    expect((live.spec as { template: unknown }).template).toEqual(template);
  });
});
