/**
 * samples/sources/redisstreamsource.yaml end to end: the RedisStreamSource "clicks" (password from the
 * Secret redis-auth, as the sample says; the local Redis needs none and the client goes on with a warning)
 * turns stream entries into CloudEvents at event-display, and its status is Ready with the resolved sink.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFiles, sampleFiles } from '../../../hack/demo/plan.js';
import { testEnv } from '../../support/env.js';
import { condition, type SampleStack, sourcesPath, startSampleStack, waitFor, waitReady } from './support.js';

let stack: SampleStack;
const redis = new Redis(testEnv.redisUrl(), { lazyConnect: true });

beforeAll(async () => {
  stack = await startSampleStack('redis');
  await redis.connect();
  // samples/demo/secrets.yaml: the Secret the sample names (and the ClusterEventBus one, for the system namespace).
  await stack.apply([...stack.load(demoFiles.secrets), ...stack.load(sampleFiles.redisstreamsource)]);
}, 180_000);

afterAll(async () => {
  await redis.del(stack.topic('clicks')).catch(() => undefined);
  redis.disconnect();
  await stack?.stop();
}, 180_000);

describe('samples/sources/redisstreamsource.yaml', () => {
  it('is Ready and sends to event-display', async () => {
    const o = await waitReady(stack, sourcesPath(stack.namespace, 'redisstreamsources', 'clicks'));
    expect(o.status?.sinkUri).toBe(`http://event-display.${stack.namespace}.svc.cluster.local`);
    expect(condition(o, 'SinkProvided')?.status).toBe('True');
    expect(condition(o, 'Deployed')?.status).toBe('True');
    expect(o.status?.ceAttributes).toEqual([
      { type: 'dev.knative.sources.redisstream', source: `/apis/v1/namespaces/${stack.namespace}/redisstreamsources/clicks#${stack.topic('clicks')}` },
    ]);
  }, 150_000);

  it('delivers each new stream entry as an event with the entry id and its fields', async () => {
    const stream = stack.topic('clicks');
    const source = `/apis/v1/namespaces/${stack.namespace}/redisstreamsources/clicks#${stream}`;
    // The group starts at new entries ($): add one a second until the adapter's group has seen one.
    const added = new Map<string, string>();
    const hit = await waitFor('an entry of the clicks stream at event-display', async () => {
      const id = await redis.xadd(stream, '*', 'user', 'u1', 'page', `/p${added.size}`);
      if (id) added.set(id, `/p${added.size}`);
      return (await stack.received()).find((e) => e.attributes.source === source);
    });
    expect(hit.attributes).toMatchObject({ type: 'dev.knative.sources.redisstream', source, datacontenttype: 'application/json' });
    const page = added.get(String(hit.attributes.id));
    expect(page, `event id ${String(hit.attributes.id)} is one of the entries added`).toBeDefined();
    expect(hit.data).toEqual({ user: 'u1', page });
  }, 150_000);
});
