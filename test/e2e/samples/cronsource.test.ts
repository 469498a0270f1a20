/**
 * samples/sources/cronsource.yaml end to end: the CronSource "heartbeat" (on a 5-second schedule here)
 * reaches event-display through the controller's shared cron adapter, with the sample's data, content
 * type and ceOverrides, and its status is what `kubectl get cronsources` shows a user.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleFiles } from '../../../hack/demo/plan.js';
import { condition, type SampleStack, sourcesPath, startSampleStack, waitForEvents, waitReady } from './support.js';

let stack: SampleStack;

beforeAll(async () => {
  stack = await startSampleStack('cron');
  await stack.apply(stack.load(sampleFiles.cronsource));
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 180_000);

describe('samples/sources/cronsource.yaml', () => {
  it('is Ready with the event-display Service as its sink', async () => {
    const o = await waitReady(stack, sourcesPath(stack.namespace, 'cronsources', 'heartbeat'));
    expect(o.status?.sinkUri).toBe(`http://event-display.${stack.namespace}.svc.cluster.local`);
    expect(condition(o, 'SinkProvided')?.status).toBe('True');
    expect(condition(o, 'Deployed')?.status).toBe('True');
    expect(o.status?.observedGeneration).toBe(o.metadata.generation);
    expect(o.status?.ceAttributes).toEqual([{ type: 'dev.knative.sources.ping', source: `/apis/v1/namespaces/${stack.namespace}/cronsources/heartbeat` }]);
  }, 150_000);

  it('delivers its ticks to event-display as the sample describes them', async () => {
    const source = `/apis/v1/namespaces/${stack.namespace}/cronsources/heartbeat`;
    const [tick] = await waitForEvents(stack, 'a tick of heartbeat at event-display', (e) => e.attributes.source === source);
    expect(tick?.attributes).toMatchObject({ type: 'dev.knative.sources.ping', source, datacontenttype: 'application/json', team: 'platform', specversion: '1.0' });
    expect(tick?.data).toEqual({ message: 'Hello world!' });
    expect(tick?.path).toBe('/');
    // The id is deterministic from the schedule time (docs/adapters.md), so a sink can de-duplicate.
    expect(String(tick?.attributes.id)).toMatch(new RegExp(`^${stack.namespace}/heartbeat/\\d{4}-\\d\\d-\\d\\dT`));
  }, 120_000);
});
