/**
 * Controller scale: N sources (half KafkaSource, half RedisStreamSource, each with its own adapter Deployment)
 * applied at once to a private kube-apiserver; the controller runs as a child process (dist/controller/main.js)
 * and a stand-in kubelet marks each Deployment available. Figures: wall time until every source is Ready, the
 * controller's API writes per source (headwater_api_writes_total), its RSS, and its writes during a steady-state
 * window that spans several resyncs (target 0).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import pLimit from 'p-limit';
import { KubeClient, type StreamHandle } from '../lib/kube/client.js';
import { cpuSecondsOf, freePort, memoryOf, sleep, spawnNode, waitForOk } from './lib/proc.js';
import { kubectl, privateKube } from './lib/private-kube.js';
import { startStandInKubelet } from './lib/stand-in-kubelet.js';
import type { Row } from './lib/table.js';
import type { BenchContext, Benchmark } from './lib/types.js';

const group = 'sources.headwater.dev';
const version = 'v1alpha1';

interface Item {
  metadata: { name: string };
  status?: { conditions?: { type: string; status: string }[] };
}

async function metricSum(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

/**
 * Watches both kinds and counts the sources whose Ready condition is True (no repeated lists). A watch that fails
 * or ends is re-opened (it starts with an ADDED event per existing object, so the set is rebuilt, not lost): an
 * earlier version ignored a failed watch and reported 0 Ready while every source was Ready.
 */
function watchReady(client: KubeClient, namespace: string, log: (m: string) => void): { ready(): number; stop(): void } {
  const ready = new Set<string>();
  let stopped = false;
  const handles = new Set<StreamHandle>();
  const open = (plural: string): void => {
    if (stopped) return;
    client
      .stream(`/apis/${group}/${version}/namespaces/${namespace}/${plural}`, { watch: true }, (line) => {
        const e = JSON.parse(line) as { type: string; object: Item };
        if (e.type === 'ERROR' || e.type === 'BOOKMARK') return;
        const key = `${plural}/${e.object.metadata.name}`;
        if (e.type !== 'DELETED' && e.object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) ready.add(key);
        else ready.delete(key);
      })
      .then((h) => {
        handles.add(h);
        return h.done.finally(() => handles.delete(h));
      })
      .then(
        () => open(plural),
        (err: unknown) => {
          if (stopped) return;
          log(`controller: Ready watch of ${plural} failed (${err instanceof Error ? err.message : String(err)}); re-opening`);
          setTimeout(() => open(plural), 500);
        },
      );
  };
  for (const plural of ['kafkasources', 'redisstreamsources']) open(plural);
  return {
    ready: () => ready.size,
    stop: () => {
      stopped = true;
      for (const h of handles) h.abort();
    },
  };
}

export const controllerScale: Benchmark = {
  name: 'controller',
  title: 'Controller scale: N sources applied at once → all Ready (private apiserver, stand-in kubelet)',
  async run(ctx: BenchContext): Promise<Row[]> {
    const sources = ctx.quick ? 100 : 1_000;
    const resyncSeconds = ctx.quick ? 5 : 20;
    const steadyMs = ctx.quick ? 12_000 : 60_000;
    const k = privateKube();
    kubectl(k, ['apply', '-f', 'crds/sources.kafkasources.yaml', '-f', 'crds/sources.redisstreamsources.yaml', '-f', 'crds/sources.cronsources.yaml', '-f', 'crds/sources.sinkbindings.yaml', '-f', 'crds/eventing.eventbuses.yaml', '-f', 'crds/eventing.clustereventbuses.yaml', '-f', 'crds/eventing.triggers.yaml']);
    kubectl(k, ['wait', '--for', 'condition=established', '--timeout=60s', 'crd/kafkasources.sources.headwater.dev', 'crd/redisstreamsources.sources.headwater.dev']);
    const kc = new KubeConfig();
    kc.loadFromFile(k.kubeconfig);
    const client = new KubeClient(kc);
    const namespace = `bench-scale-${randomUUID().slice(0, 8)}`;
    await client.json({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } });
    await client.json({ method: 'POST', path: '/api/v1/namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'headwater-system' } } }).catch(() => undefined);

    const port = await freePort();
    const controller = spawnNode(join(ctx.distDir, 'controller', 'main.js'), [], {
      KUBECONFIG: k.kubeconfig,
      HEADWATER_ADAPTER_IMAGE: 'headwater:bench',
      LEADER_ELECTION: 'false',
      METRICS_PORT: String(port),
      RESYNC_SECONDS: String(resyncSeconds),
      // Unset = the controller's own default; set for an A/B of the worker count.
      ...(process.env.BENCH_CONTROLLER_WORKERS ? { WORKERS: process.env.BENCH_CONTROLLER_WORKERS } : {}),
    });
    const kubelet = await startStandInKubelet(client, namespace);
    const readyWatch = watchReady(client, namespace, ctx.log);
    try {
      await waitForOk(`http://127.0.0.1:${port}/readyz`, 60_000, controller);
      const writes0 = await metricSum(port, 'headwater_api_writes_total');
      const cpu0 = cpuSecondsOf(controller.pid);
      const limit = pLimit(32);
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: sources }, (_, i) =>
          limit(() => {
            const kafka = i % 2 === 0;
            const kind = kafka ? 'KafkaSource' : 'RedisStreamSource';
            const spec = kafka
              ? { bootstrapServers: ['127.0.0.1:9092'], topics: [`t${i}`], sink: { uri: 'http://127.0.0.1:1/' } }
              : { address: '127.0.0.1:6379', stream: `s${i}`, sink: { uri: 'http://127.0.0.1:1/' } };
            return client.json({
              method: 'POST',
              path: `/apis/${group}/${version}/namespaces/${namespace}/${kafka ? 'kafkasources' : 'redisstreamsources'}`,
              body: { apiVersion: `${group}/${version}`, kind, metadata: { name: `src-${i}`, namespace }, spec },
            });
          }),
        ),
      );
      const appliedMs = performance.now() - t0;
      const deadline = t0 + (ctx.quick ? 50_000 : 240_000);
      let ready = 0;
      while (performance.now() < deadline) {
        ready = readyWatch.ready();
        if (ready >= sources) break;
        await sleep(50);
      }
      const wallMs = performance.now() - t0;
      const allReady = ready >= sources;
      const writesApply = (await metricSum(port, 'headwater_api_writes_total')) - writes0;
      const reconciles = await metricSum(port, 'headwater_reconcile_total');
      const cpuApply = cpuSecondsOf(controller.pid) - cpu0;
      ctx.log(`controller: ${ready}/${sources} Ready after ${(wallMs / 1000).toFixed(1)} s, ${writesApply} writes`);

      // Steady state: nothing changes, several resyncs pass; every write now would be a wasted one.
      const writesSteady0 = await metricSum(port, 'headwater_api_writes_total');
      const reconcilesSteady0 = await metricSum(port, 'headwater_reconcile_total');
      await sleep(steadyMs);
      const steadyWrites = (await metricSum(port, 'headwater_api_writes_total')) - writesSteady0;
      const steadyReconciles = (await metricSum(port, 'headwater_reconcile_total')) - reconcilesSteady0;
      const mem = memoryOf(controller.pid);
      const scaled = ctx.quick ? ' (quick: scaled down from 1,000)' : '';
      return [
        {
          bench: 'controller',
          metric: `${sources.toLocaleString('en-US')} sources applied → all Ready`,
          value: allReady ? wallMs / 1000 : undefined,
          unit: 's',
          target: '< 60 s',
          met: allReady && wallMs < 60_000,
          note: `${ready}/${sources} Ready${scaled}; WORKERS=${process.env.BENCH_CONTROLLER_WORKERS ?? 'default'}; creates took ${(appliedMs / 1000).toFixed(1)} s (32 in parallel); ${reconciles} reconciles; controller CPU ${cpuApply.toFixed(1)} s; stand-in kubelet marks Deployments available (${kubelet.writes} status writes), kube-controller-manager not running`,
        },
        {
          bench: 'controller',
          metric: 'API writes per source (controller)',
          value: writesApply / sources,
          unit: 'writes',
          note: 'headwater_api_writes_total (Deployment create, status updates, events); reads are the informers\u2019 list+watch, not per source',
        },
        { bench: 'controller', metric: 'controller RSS (now / peak)', value: mem.peakMiB, unit: 'MiB', target: '< 250 MB', met: mem.peakMiB * 1.048576 < 250, note: `now ${mem.rssMiB.toFixed(0)} MiB` },
        {
          bench: 'controller',
          metric: `writes during ${steadyMs / 1000} s steady state (resync every ${resyncSeconds} s)`,
          value: steadyWrites,
          unit: 'writes',
          target: '0',
          met: steadyWrites === 0,
          note: `${steadyReconciles} reconciles in the window`,
        },
      ];
    } finally {
      readyWatch.stop();
      await kubelet.stop();
      await controller.stop();
      // Leave the private cluster empty for the next run: the controller reconciles every namespace.
      for (const plural of ['kafkasources', 'redisstreamsources']) {
        await client.json({ method: 'DELETE', path: `/apis/${group}/${version}/namespaces/${namespace}/${plural}` }).catch(() => undefined);
      }
      await client.json({ method: 'DELETE', path: `/apis/apps/v1/namespaces/${namespace}/deployments` }).catch(() => undefined);
      await client.json({ method: 'DELETE', path: `/api/v1/namespaces/${namespace}/events` }).catch(() => undefined);
      client.destroy();
    }
  },
};
