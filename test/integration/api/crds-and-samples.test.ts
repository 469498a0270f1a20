/**
 * Every CRD applies to the real apiserver, `kubectl explain` reaches nested fields, every sample is
 * accepted (with the webhook registered), gets its defaults, and shows the printer columns.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findKind, KINDS } from '../../../api/kinds.js';
import { testEnv } from '../../support/env.js';
import { applyCrds, createNamespace, deleteNamespace, kubectl, kubectlOk, registerTestWebhook, uniqueName } from './kube.js';

const namespace = uniqueName('hw-api-samples');
const samplesDir = `${testEnv.repoRoot}samples/sources/`;
let webhook: Awaited<ReturnType<typeof registerTestWebhook>> | undefined;
const clusterScopedCreated: string[] = [];

interface Sample {
  file: string;
  object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown> };
}

const samples: Sample[] = readdirSync(samplesDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((file) => ({ file, object: parse(readFileSync(`${samplesDir}${file}`, 'utf8')) as Sample['object'] }));

beforeAll(async () => {
  await applyCrds();
  await createNamespace(namespace);
  webhook = await registerTestWebhook();
});

afterAll(async () => {
  await webhook?.stop();
  for (const ref of clusterScopedCreated) await kubectl(['delete', ref, '--ignore-not-found']);
  await deleteNamespace(namespace);
});

/** kubectl explain works once the apiserver has published the CRD's OpenAPI, which lags Established a little. */
async function explain(path: string): Promise<string> {
  let last = '';
  for (let attempt = 0; attempt < 60; attempt++) {
    const r = await kubectl(['explain', path]);
    if (r.code === 0) return r.stdout;
    last = r.stderr;
    await new Promise((res) => setTimeout(res, 1000));
  }
  throw new Error(`kubectl explain ${path} kept failing: ${last}`);
}

describe('CRDs on the real apiserver', () => {
  it('every CRD is served with the status subresource, names and categories', async () => {
    for (const k of KINDS) {
      const crd = JSON.parse(await kubectlOk(['get', 'crd', `${k.plural}.${k.group}`, '-o', 'json'])) as {
        spec: { names: { shortNames: string[]; categories: string[] }; versions: { subresources?: unknown }[] };
        metadata: { labels?: Record<string, string> };
      };
      expect(crd.spec.names.shortNames).toEqual(k.shortNames);
      expect(crd.spec.names.categories).toEqual(k.categories);
      expect(crd.spec.versions[0]?.subresources).toEqual({ status: {} });
      if (k.isSource) expect(crd.metadata.labels?.['duck.knative.dev/source']).toBe('true');
    }
  });

  it('kubectl explain reaches nested fields', async () => {
    const ref = await explain('cronsource.spec.sink.ref');
    expect(ref).toContain('apiVersion');
    expect(ref).toContain('namespace');
    expect(ref).toContain('A reference to another Kubernetes object.');
    expect(await explain('kafkasources.spec.net.sasl.user.secretKeyRef')).toContain('Key inside the Secret.');
    expect(await explain('triggers.spec.subscribers.delivery.backoffPolicy')).toContain('linear');
    expect(await explain('eventbus.spec.nats.url')).toContain('NATS server URL');
  });
});

describe('samples', () => {
  it('covers every kind', () => {
    expect(new Set(samples.map((s) => s.object.kind))).toEqual(new Set(KINDS.map((k) => k.kind)));
  });

  for (const s of samples) {
    it(`samples/sources/${s.file} is accepted and defaulted`, async () => {
      const kind = findKind(s.object.apiVersion.split('/')[0]!, s.object.kind)!;
      const obj = structuredClone(s.object);
      if (kind.scope === 'Namespaced') obj.metadata.namespace = namespace;
      else obj.metadata.name = uniqueName(obj.metadata.name);
      const created = await kubectl(['create', '-o', 'json', '-f', '-'], stringify(obj));
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      if (kind.scope === 'Cluster') clusterScopedCreated.push(`${kind.plural}.${kind.group}/${obj.metadata.name}`);
      const back = JSON.parse(created.stdout) as { spec: Record<string, unknown> };
      if (kind.isSource && kind.kind !== 'SinkBinding') {
        const delivery = back.spec.delivery as Record<string, unknown>;
        expect(delivery.timeout).toBe('PT30S');
        expect(delivery.backoffPolicy).toBeDefined();
      }
      if (kind.kind === 'KafkaSource') expect(back.spec.initialOffset).toBe('earliest');
      if (kind.kind === 'RedisStreamSource') expect(back.spec.consumers).toBe(2);

      const table = await kubectlOk(['get', `${kind.plural}.${kind.group}`, ...(kind.scope === 'Namespaced' ? ['-n', namespace] : [])]);
      const headers = table.split('\n')[0] ?? '';
      for (const col of kind.printerColumns.filter((c) => !c.priority)) expect(headers).toContain(col.name.toUpperCase());
    });
  }

  it('a KafkaSource without the optional fields gets the documented defaults', async () => {
    const obj = {
      apiVersion: 'sources.headwater.dev/v1alpha1',
      kind: 'KafkaSource',
      metadata: { name: 'defaults', namespace },
      spec: { bootstrapServers: ['kafka:9092'], topics: ['t'], sink: { uri: 'http://sink.default.svc' } },
    };
    const back = JSON.parse(await kubectlOk(['create', '-o', 'json', '-f', '-'], stringify(obj))) as { spec: Record<string, unknown> };
    expect(back.spec).toMatchObject({
      initialOffset: 'latest',
      ordering: 'ordered',
      consumers: 1,
      delivery: { retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.2S', timeout: 'PT30S' },
    });
  });

  it('the sources category lists the source kinds', async () => {
    const out = await kubectlOk(['get', 'sources', '-n', namespace, '-o', 'name']);
    expect(out).toContain('cronsource.sources.headwater.dev/heartbeat');
    expect(out).toContain('kafkasource.sources.headwater.dev/orders');
  });
});
