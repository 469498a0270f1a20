/**
 * The real `kn` CLI (v0.42.0, built by hack/kn.sh) against the local apiserver: every Headwater source
 * kind is discovered by `kn source list-types`, and `kn source list` shows each source with its TYPE,
 * SINK and READY. The statuses are the real thing: the controller (startManager + allReconcilers) runs
 * in-process and the local node runner runs the adapter Deployments it creates as processes, so READY
 * follows from adapters that actually came up. Finally one event goes the whole way: a Redis entry, the
 * RedisStreamSource adapter, the sink's cluster-local Service name, the event-display sample function.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig, CustomObjectsApi, AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allReconcilers } from '../../../controller/reconciler/index.js';
import { type Manager, startManager } from '../../../controller/runtime/manager.js';
import { defaultImageTable } from '../../../hack/runner/image-table.js';
import { defaultRunnerConfig, type RunningRunner, startRunner } from '../../../hack/runner/runner.js';
import { createLogger } from '../../../lib/log.js';
import { testEnv } from '../../support/env.js';
import { loopbackOctet } from '../../support/loopback-range.js';
import { releaseNamespaces } from '../../support/namespaces.js';
import { KubeClient } from '../../../lib/kube/client.js';
import { scopeReconcilers } from '../../support/scoped-reconcilers.js';
import { waitFor as pollUntil } from '../../support/wait-for.js';

/** kn round-trips are slow; wait long and poll every half second. */
const waitFor = <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 150_000): Promise<T> =>
  pollUntil(what, probe, timeoutMs, { intervalMs: 500 });

const suffix = randomBytes(3).toString('hex');
const ns = `kn-e2e-${suffix}`;
const sysNs = `kn-e2e-sys-${suffix}`;
const group = 'sources.headwater.dev';
// A fresh pair of /16s per run: processes orphaned by a killed earlier run cannot hold our addresses.
const octet = loopbackOctet();
const version = 'v1alpha1';

const kc = new KubeConfig();
let core: CoreV1Api;
let apps: AppsV1Api;
let custom: CustomObjectsApi;
let manager: Manager | undefined;
let runner: RunningRunner | undefined;
let kn = '';

interface Condition {
  type: string;
  status: string;
}
interface SourceObject {
  kind: string;
  metadata: { name: string };
  status?: { conditions?: Condition[] };
}

function knRun(...args: string[]): string {
  return execFileSync(kn, [...args, '--kubeconfig', testEnv.kubeconfig()], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' } });
}

/**
 * A kn table as rows of named columns. kn prints with a tabwriter (left-aligned, padded), and cells may
 * be empty (list-types' S column), so cells are cut at the header's column offsets.
 */
function table(text: string): Record<string, string>[] {
  const [header = '', ...rows] = text.trimEnd().split('\n');
  const columns = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], start: m.index ?? 0 }));
  return rows.map((row) =>
    Object.fromEntries(columns.map((c, i) => [c.name, row.slice(c.start, columns[i + 1]?.start ?? row.length).trim()])),
  );
}

const sinkRef = { ref: { apiVersion: 'v1', kind: 'Service', name: 'sink' } };
const sources = [
  { kind: 'CronSource', plural: 'cronsources', name: 'tick', spec: { schedule: '*/1 * * * *', data: '{"hello":"kn"}', sink: sinkRef } },
  { kind: 'RedisStreamSource', plural: 'redisstreamsources', name: 'orders', spec: { address: testEnv.redisUrl(), stream: `kn-e2e-${suffix}`, sink: sinkRef } },
  { kind: 'KafkaSource', plural: 'kafkasources', name: 'clicks', spec: { bootstrapServers: testEnv.kafkaBrokers(), topics: [`kn-e2e-${suffix}`], sink: sinkRef } },
  {
    kind: 'SinkBinding',
    plural: 'sinkbindings',
    name: 'bind',
    spec: { subject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' }, sink: sinkRef },
  },
];

function testingDeployment(name: string, image = 'headwater/testing:1', readyPath = '/readyz') {
  return {
    metadata: { name, namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: 'main',
              image,
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: readyPath, port: 'http' }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  };
}

beforeAll(async () => {
  kn = execFileSync('bash', [join(testEnv.repoRoot, 'hack/kn.sh')], { encoding: 'utf8' }).trim();
  kc.loadFromFile(testEnv.kubeconfig());
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);

  // The CRDs as generated into crds/, applied with the real kubectl.
  const kubectl = join(testEnv.kubeBin(), 'kubectl');
  const crdDir = join(testEnv.repoRoot, 'crds');
  execFileSync(kubectl, ['--kubeconfig', testEnv.kubeconfig(), 'apply', '--server-side', '--force-conflicts', '-k', crdDir], { encoding: 'utf8' });
  const crdNames = readdirSync(crdDir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => (parse(readFileSync(join(crdDir, f), 'utf8')) as { metadata: { name: string } }).metadata.name);
  execFileSync(kubectl, ['--kubeconfig', testEnv.kubeconfig(), 'wait', '--for=condition=Established', '--timeout=60s', ...crdNames.map((n) => `crd/${n}`)]);

  for (const n of [ns, sysNs]) await core.createNamespace({ body: { metadata: { name: n } } });
  await core.createNamespacedServiceAccount({ namespace: sysNs, body: { metadata: { name: 'headwater-cron-adapter' } } });

  const base = defaultRunnerConfig({ kubeconfig: testEnv.kubeconfig(), nodeName: `kn-e2e-${suffix}` });
  runner = await startRunner({
    ...base,
    podCIDR: `127.${octet}.0.0/16`,
    serviceCIDR: `127.${octet + 1}.0.0/16`,
    fromSource: true,
    bindNamespaces: [ns, sysNs],
    images: [...defaultImageTable('headwater/headwater:*'), { kind: 'program', image: 'headwater/testing:*', file: 'test/fixtures/runner/test-server.ts' }],
    stateDir: join(testEnv.repoRoot, '.headwater', 'test-runner', `kn-e2e-${suffix}`),
    backoff: { baseMs: 1000, maxMs: 5000, resetAfterMs: 600_000 },
    heartbeatMs: 2000,
    deleteNodeOnExit: true,
    log: createLogger({ component: 'runner' }, { level: 'warn' }),
  });
  manager = await startManager({
    kubeConfig: kc,
    // Only this file's namespaces: other test files' controllers share the apiserver (test/support/lanes.ts).
    reconcilers: scopeReconcilers(allReconcilers(), { namespaces: [ns, sysNs] }),
    // watchNamespaces also confines the shared cron adapter: unconfined, it would tick other files' CronSources.
    config: { adapterImage: 'headwater/headwater:e2e', systemNamespace: sysNs, watchNamespaces: [ns] },
    log: createLogger({ component: 'controller' }, { level: 'error' }),
    leaderElection: false,
    resyncMs: 3000,
    workers: 2,
  });
  await manager.waitForSync();

  // The sink is the event-display sample function (the product's image table runs it), the binding subject our test server.
  await apps.createNamespacedDeployment({ namespace: ns, body: testingDeployment('sink', 'headwater/event-display:1', '/healthz') });
  await apps.createNamespacedDeployment({ namespace: ns, body: testingDeployment('app') });
  await core.createNamespacedService({
    namespace: ns,
    body: { metadata: { name: 'sink' }, spec: { selector: { app: 'sink' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
  });
  for (const s of sources) {
    await custom.createNamespacedCustomObject({
      group,
      version,
      namespace: ns,
      plural: s.plural,
      body: { apiVersion: `${group}/${version}`, kind: s.kind, metadata: { name: s.name, namespace: ns }, spec: s.spec },
    });
  }
  // A cold Go module cache makes the first kn build (hack/kn.sh) take minutes; later runs reuse the binary.
}, 900_000);

afterAll(async () => {
  // While the controller and runner still run: SinkBinding finalizers released, pods gone; the rest in the background.
  if (core) await releaseNamespaces(new KubeClient(kc), [ns, sysNs]).catch(() => false);
  await manager?.stop();
  await runner?.stop();
});

describe('kn against Headwater', () => {
  it('lists every Headwater source type', () => {
    const rows = table(knRun('source', 'list-types'));
    const kinds = rows.map((r) => r.TYPE);
    for (const s of sources) expect(kinds, `list-types shows ${s.kind}`).toContain(s.kind);
    for (const s of sources) {
      const row = rows.find((r) => r.TYPE === s.kind)!;
      expect(row.NAME).toBe(`${s.plural}.${group}`);
    }
  });

  it('lists every source with its TYPE, SINK and READY once the controller and the adapters made it Ready', async () => {
    let rows: Record<string, string>[] = [];
    try {
      await waitFor('kn source list to show every source READY', async () => {
        rows = table(knRun('source', 'list', '-n', ns));
        return sources.every((s) => rows.find((r) => r.NAME === s.name)?.READY === 'True') ? rows : undefined;
      });
    } catch (err) {
      // Say which source is not Ready and why, from its status.
      const statuses = await Promise.all(
        sources.map(async (s) => [s.name, (await custom.getNamespacedCustomObject({ group, version, namespace: ns, plural: s.plural, name: s.name })) as SourceObject] as const),
      );
      throw new Error(`${String(err)}\nkn rows: ${JSON.stringify(rows)}\nstatuses: ${JSON.stringify(statuses.map(([n, o]) => [n, o.status?.conditions]))}`);
    }
    for (const s of sources) {
      const row = rows.find((r) => r.NAME === s.name);
      expect(row, `kn source list shows ${s.name}`).toBeDefined();
      expect(row).toMatchObject({ TYPE: s.kind, RESOURCE: `${s.plural}.${group}`, SINK: 'service:sink', READY: 'True' });
    }
    // The same through kn's machine-readable output: the sink is the Service the spec names.
    const json = JSON.parse(knRun('source', 'list', '-n', ns, '-o', 'json')) as { items: { kind: string; metadata: { name: string }; spec: { sink?: { ref?: { name: string } } } }[] };
    expect(json.items.map((i) => i.kind).sort()).toEqual(sources.map((s) => s.kind).sort());
    for (const item of json.items) expect(item.spec.sink?.ref?.name).toBe('sink');
  });

  it('delivers through the Service name kn shows as SINK: a Redis entry reaches the event-display pod', async () => {
    const marker = `kn-e2e-${randomBytes(4).toString('hex')}`;
    const redis = new Redis(testEnv.redisUrl());
    try {
      await redis.xadd(`kn-e2e-${suffix}`, '*', 'marker', marker);
    } finally {
      redis.disconnect();
    }
    // Read back through the same cluster-local name the adapter sent to (hosts block + loopback Service proxy).
    const seen = await waitFor('the event at the sink', async () => {
      const res = await fetch(`http://sink.${ns}.svc.cluster.local/events`);
      const events = (await res.json()) as { attributes: Record<string, unknown>; data?: unknown }[];
      return events.find((e) => JSON.stringify(e.data ?? '').includes(marker));
    });
    expect(seen.attributes.type).toBeDefined();
    expect(String(seen.attributes.source)).toContain('orders');
  });
});
