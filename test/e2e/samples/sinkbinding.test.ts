/**
 * samples/sources/sinkbinding.yaml end to end: the SinkBinding "producer-binding" selects Deployments
 * labelled app=producer and injects K_SINK and K_CE_OVERRIDES into their pod template; the workload
 * (samples/demo/producer.yaml: Headwater's image sending to K_SINK, which it only gets from the binding)
 * then delivers to event-display with the binding's extension origin=producer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFiles, sampleFiles } from '../../../hack/demo/plan.js';
import { condition, type SampleStack, sourcesPath, startSampleStack, waitFor, waitForEvents, waitReady } from './support.js';

let stack: SampleStack;

interface Deployment {
  spec: { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } } };
}

beforeAll(async () => {
  stack = await startSampleStack('binding');
  await stack.apply(stack.load(sampleFiles.sinkbinding));
  await stack.apply(stack.load(demoFiles.producer));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 180_000);

describe('samples/sources/sinkbinding.yaml', () => {
  it('is Ready with the event-display Service as its sink', async () => {
    const o = await waitReady(stack, sourcesPath(stack.namespace, 'sinkbindings', 'producer-binding'));
    expect(o.status?.sinkUri).toBe(`http://event-display.${stack.namespace}.svc.cluster.local`);
    expect(condition(o, 'SinkProvided')?.status).toBe('True');
    expect(condition(o, 'BindingAvailable')?.status).toBe('True');
  }, 150_000);

  it('injects K_SINK and K_CE_OVERRIDES into the selected Deployment', async () => {
    const env = await waitFor('K_SINK in the producer Deployment', async () => {
      const d = await stack.client.json<Deployment>({ method: 'GET', path: `/apis/apps/v1/namespaces/${stack.namespace}/deployments/producer` });
      const e = d.spec.template.spec.containers[0]?.env ?? [];
      return e.some((v) => v.name === 'K_SINK') ? e : undefined;
    });
    expect(env.find((v) => v.name === 'K_SINK')?.value).toBe(`http://event-display.${stack.namespace}.svc.cluster.local`);
    expect(JSON.parse(env.find((v) => v.name === 'K_CE_OVERRIDES')?.value ?? '{}')).toEqual({ extensions: { origin: 'producer' } });
  }, 120_000);

  it("delivers the bound workload's events to event-display with the binding's overrides", async () => {
    const source = `/apis/v1/namespaces/${stack.namespace}/cronsources/producer`;
    const [e] = await waitForEvents(stack, 'an event of the bound producer at event-display', (x) => x.attributes.source === source);
    expect(e?.attributes).toMatchObject({ origin: 'producer', type: 'dev.knative.sources.ping', source });
    expect(e?.data).toEqual({ message: 'sent by a bound Deployment to its K_SINK' });
  }, 150_000);
});
