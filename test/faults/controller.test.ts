/**
 * The control plane under faults, on a private apiserver (support/private-kube.ts): two controller replicas
 * (controller/main.ts as child processes, leader election on) that authenticate as the controller's own
 * ServiceAccount with the RBAC from config/ (a token from the TokenRequest API, so RBAC is what the real
 * authorizer enforces, not an admin identity), the real kube-controller-manager (garbage collection) and the
 * stand-in kubelet (Deployments become Available).
 *
 * Faults: apiserver restarted, leader SIGKILLed, both replicas restarted, sources deleted, and 1,000 sources
 * created and deleted in concurrent rounds. After each: every source Ready, one Deployment per source, none
 * re-created, no orphans; after the churn nothing is left and the leader's memory is flat.
 * Also here because it needs the same cluster: secrets never leave their secretKeyRef, and pod security.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError } from '../../lib/kube/errors.js';
import { uniqueName } from '../support/env.js';
import { StandInKubelet } from '../support/stand-in-kubelet.js';
import { installCrds } from '../integration/controller/reconciler/harness.js';
import { Auditor } from './support/audit.js';
import { type ControllerProcess, startController } from './support/controller-process.js';
import { type PrivateKube, privateKube } from './support/private-kube.js';
import { record, resultsDir } from './support/results.js';

const SYS = 'headwater-system';
const controllerSa = `system:serviceaccount:${SYS}:headwater-controller`;
const churnTotal = Number(process.env.HEADWATER_FAULTS_CHURN ?? '1000');
const churnRound = Math.min(250, churnTotal);

let k: PrivateKube;
let auditor: Auditor;
let kubelet: StandInKubelet;
let saKubeconfig: string;
const replicas = new Map<string, ControllerProcess>();
/** Every controller process started, for the log grep at the end. */
const allControllers: ControllerProcess[] = [];
const ns = uniqueName('faults-ctl');
const churnNs = uniqueName('faults-churn');
let sourceCount = 0;

async function post(path: string, body: unknown): Promise<void> {
  try {
    await k.client.json({ method: 'POST', path, body });
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
}

function sourceBody(kind: 'KafkaSource' | 'RedisStreamSource', namespace: string, name: string, extra: Record<string, unknown> = {}): { path: string; body: unknown } {
  const plural = kind === 'KafkaSource' ? 'kafkasources' : 'redisstreamsources';
  // Loopback addresses only: nothing runs the adapters here (the stand-in kubelet only marks pods Ready).
  const spec =
    kind === 'KafkaSource'
      ? { bootstrapServers: ['127.0.0.1:9092'], topics: [`t-${name}`], sink: { uri: 'http://127.0.0.1:9/sink' }, ...extra }
      : { address: '127.0.0.1:6379', stream: `s-${name}`, sink: { uri: 'http://127.0.0.1:9/sink' }, ...extra };
  return {
    path: `/apis/sources.headwater.dev/v1alpha1/namespaces/${namespace}/${plural}`,
    body: { apiVersion: 'sources.headwater.dev/v1alpha1', kind, metadata: { name, namespace }, spec },
  };
}

/** Create `n` more sources in the test namespace (alternating kinds). */
async function addSources(n: number, prefix: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    const s = sourceBody(i % 2 === 0 ? 'KafkaSource' : 'RedisStreamSource', ns, `${prefix}-${i}`);
    await post(s.path, s.body);
    sourceCount++;
  }
}

/** Replicas the test stopped or killed on purpose: the others are restarted when they exit, as their Deployment would. */
const stoppedOnPurpose = new Set<ControllerProcess>();
/** Exits the test did not cause (a replica that lost its Lease exits 1 by design), as "name:code". */
const unplannedExits: string[] = [];

function startReplica(name: string): ControllerProcess {
  const c = startController(name, {
    KUBECONFIG: saKubeconfig,
    HEADWATER_ADAPTER_IMAGE: 'headwater:faults',
    SYSTEM_NAMESPACE: SYS,
    RESYNC_SECONDS: '60',
  });
  replicas.set(name, c);
  allControllers.push(c);
  void c.exited.then((code) => {
    if (stoppedOnPurpose.has(c) || suiteDone) return;
    unplannedExits.push(`${name}:${code}`);
    replicas.delete(name);
    startReplica(`${name.replace(/-r\d+$/, '')}-r${unplannedExits.length}`);
  });
  return c;
}

async function stopReplica(c: ControllerProcess, how: 'SIGTERM' | 'SIGKILL'): Promise<number | null> {
  stoppedOnPurpose.add(c);
  replicas.delete(c.name);
  if (how === 'SIGKILL') {
    await c.kill9();
    return null;
  }
  return c.stop();
}
let suiteDone = false;

async function leaseHolder(): Promise<string | undefined> {
  try {
    const lease = await k.client.json<{ spec?: { holderIdentity?: string } }>({ method: 'GET', path: `/apis/coordination.k8s.io/v1/namespaces/${SYS}/leases/headwater-controller` });
    return lease.spec?.holderIdentity;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

async function waitForLeader(not?: string, timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const h = await leaseHolder().catch(() => undefined);
    if (h && h !== not && replicas.has(h) && replicas.get(h)?.child.exitCode === null) return h;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no leader other than ${not} within ${timeoutMs} ms (holder: ${await leaseHolder().catch(() => '?')})`);
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

/** Sources, Deployments and ReplicaSets still in `namespace`, polled until all are gone (GC is asynchronous) or `waitMs` passed. */
async function leftIn(namespace: string, waitMs = 240_000): Promise<{ sources: number; deployments: number; replicaSets: number; total: number }> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const a = await auditor.audit(namespace);
    const replicaSets = (await k.client.json<{ items: unknown[] }>({ method: 'GET', path: `/apis/apps/v1/namespaces/${namespace}/replicasets` })).items.length;
    const total = a.sources + a.deployments + replicaSets;
    if (total === 0 || Date.now() > deadline) return { sources: a.sources, deployments: a.deployments, replicaSets, total };
    await new Promise((r) => setTimeout(r, 1000));
  }
}

beforeAll(async () => {
  k = await privateKube();
  auditor = new Auditor(k.client);
  await installCrds(k.client);
  // Earlier runs' namespaces: the controllers reconcile every namespace, so leave none of them behind.
  const old = await k.client.json<{ items: { metadata: { name: string } }[] }>({ method: 'GET', path: '/api/v1/namespaces' });
  for (const n of old.items.filter((i) => /^faults-(ctl|churn|sec)-/.test(i.metadata.name))) {
    await k.client.json({ method: 'DELETE', path: `/api/v1/namespaces/${n.metadata.name}` }).catch(() => undefined);
  }
  for (const n of [SYS, ns, churnNs]) await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } });
  // The RBAC exactly as config/ ships it.
  await k.kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=faults', ...['rbac/controller-serviceaccount', 'rbac/controller-clusterrole', 'rbac/controller-bindings', 'rbac/cron-adapter', 'webhook/rbac'].flatMap((f) => ['-f', `config/${f}.yaml`])]);
  const { stdout: token } = await k.kubectl(['create', 'token', 'headwater-controller', '-n', SYS, '--duration=2h']);
  saKubeconfig = k.kubeconfigWithToken(token.trim(), join(tmpdir(), `headwater-faults-sa-${process.pid}.kubeconfig`));
  kubelet = new StandInKubelet(k.kubeConfig, { nodeName: 'faults-stand-in', namespaces: () => [ns, SYS] });
  await kubelet.start();
  startReplica('replica-a');
  startReplica('replica-b');
  await Promise.all([...replicas.values()].map((c) => c.started()));
}, 300_000);

afterAll(async () => {
  suiteDone = true;
  await Promise.all([...replicas.values()].map((c) => c.stop()));
  // The controllers' logs, for a failure's diagnosis (and the secret grep reads them in memory).
  mkdirSync(`${resultsDir}logs`, { recursive: true });
  for (const c of allControllers) writeFileSync(`${resultsDir}logs/controller-${c.name}.log`, c.raw.join(''));
  await kubelet?.stop();
  for (const n of [ns, churnNs]) await k?.client.json({ method: 'DELETE', path: `/api/v1/namespaces/${n}` }).catch(() => undefined);
  k?.client.destroy();
});

describe('controller faults (private apiserver, two replicas as the controller ServiceAccount)', () => {
  it('reconciles with only the RBAC in config/: sources Ready, one Deployment each', async () => {
    const t0 = performance.now();
    await addSources(6, 'base');
    const a = await auditor.settled(ns, sourceCount);
    const leader = await waitForLeader();
    const standby = [...replicas.keys()].find((r) => r !== leader) ?? '';
    const standbyPort = await replicas.get(standby)!.started();
    const standbyWrites = await metric(standbyPort, 'headwater_api_writes_total');
    // Forbidden answers would show as errors in the leader's log: there must be none.
    // (A namespace being deleted also answers 403, for new content: only RBAC refusals count here.)
    const forbidden = replicas.get(leader)!.lines.filter((l) => JSON.stringify(l).includes('is forbidden: User'));
    record('controller', {
      area: 'Control plane',
      fault: 'none (baseline): 2 replicas as ServiceAccount headwater-controller',
      measures: { sources: a.sources, ready: a.ready, deployments: a.deployments, duplicated: a.duplicated.length, orphans: a.orphans.length, standbyWrites, forbiddenLogLines: forbidden.length },
      expectation: 'every source Ready with one Deployment; the standby writes nothing; no Forbidden from the apiserver',
      passed: standbyWrites === 0 && forbidden.length === 0,
      seconds: (performance.now() - t0) / 1000,
    });
    expect(standbyWrites).toBe(0);
    expect(forbidden).toEqual([]);
  });

  it('apiserver restarted: sources end Ready, changes made after it are reconciled, nothing duplicated or orphaned', async () => {
    const t0 = performance.now();
    await k.restart('kube-apiserver');
    await addSources(4, 'after-apiserver');
    const a = await auditor.settled(ns, sourceCount);
    record('controller', {
      area: 'Control plane',
      fault: 'kube-apiserver restarted (hack/env.sh restart), 4 sources created after',
      measures: { sources: a.sources, ready: a.ready, duplicated: a.duplicated.length, orphans: a.orphans.length, recreatedDeployments: auditor.recreated(), replicaExits: unplannedExits.join(' ') || 'none' },
      expectation: 'all Ready, one Deployment per source, none re-created, no orphans (a leader that cannot renew its Lease for 10 s exits 1 and is restarted, as its Deployment would)',
      passed: auditor.recreated() === 0,
      seconds: (performance.now() - t0) / 1000,
    });
    expect(auditor.recreated()).toBe(0);
  });

  it('leader SIGKILLed with two replicas: the standby takes over, sources end Ready, nothing duplicated', async () => {
    const t0 = performance.now();
    const leader = await waitForLeader();
    await stopReplica(replicas.get(leader)!, 'SIGKILL');
    await addSources(4, 'after-leader-kill');
    const next = await waitForLeader(leader);
    const a = await auditor.settled(ns, sourceCount);
    // The killed replica comes back (as its Deployment would restart it), now as the standby.
    startReplica(`${leader}-2`);
    await replicas.get(`${leader}-2`)!.started();
    record('controller', {
      area: 'Control plane',
      fault: 'leader SIGKILLed (two replicas), 4 sources created while it was down',
      measures: { killed: leader, newLeader: next, sources: a.sources, ready: a.ready, duplicated: a.duplicated.length, orphans: a.orphans.length, recreatedDeployments: auditor.recreated() },
      expectation: 'the other replica takes the Lease; all Ready, one Deployment per source, none re-created, no orphans',
      passed: next !== leader && auditor.recreated() === 0,
      seconds: (performance.now() - t0) / 1000,
    });
    expect(next).not.toBe(leader);
    expect(auditor.recreated()).toBe(0);
  });

  it('both replicas restarted (SIGTERM), sources created while none ran: all Ready, nothing duplicated', async () => {
    const t0 = performance.now();
    const codes = await Promise.all([...replicas.values()].map((c) => stopReplica(c, 'SIGTERM')));
    await addSources(4, 'while-down');
    startReplica('replica-c');
    startReplica('replica-d');
    await Promise.all([...replicas.values()].map((c) => c.started()));
    const a = await auditor.settled(ns, sourceCount);
    record('controller', {
      area: 'Control plane',
      fault: 'controller restarted: both replicas SIGTERMed, 4 sources created while none ran',
      measures: { exitCodes: codes.join(','), sources: a.sources, ready: a.ready, duplicated: a.duplicated.length, orphans: a.orphans.length, recreatedDeployments: auditor.recreated() },
      expectation: 'exit 0 on SIGTERM; all Ready, one Deployment per source, none re-created, no orphans',
      passed: codes.every((c) => c === 0) && auditor.recreated() === 0,
      seconds: (performance.now() - t0) / 1000,
    });
    expect(codes).toEqual([0, 0]);
    expect(auditor.recreated()).toBe(0);
  });

  it('sources deleted: their Deployments go (no orphaned children)', async () => {
    const t0 = performance.now();
    for (const plural of ['kafkasources', 'redisstreamsources']) {
      await k.client.json({ method: 'DELETE', path: `/apis/sources.headwater.dev/v1alpha1/namespaces/${ns}/${plural}` });
    }
    const left = await leftIn(ns);
    record('controller', {
      area: 'Control plane',
      fault: `all ${sourceCount} sources deleted`,
      measures: { sourcesLeft: left.sources, deploymentsLeft: left.deployments, replicaSetsLeft: left.replicaSets },
      expectation: 'garbage collection through ownerReferences removes every Deployment and ReplicaSet',
      passed: left.total === 0,
      seconds: (performance.now() - t0) / 1000,
    });
    expect(left).toMatchObject({ sources: 0, deployments: 0, replicaSets: 0 });
  });

  it(`${churnTotal} sources created and deleted concurrently in rounds of ${churnRound}: nothing left, the leader's memory flat`, async () => {
    const t0 = performance.now();
    const leader = await waitForLeader();
    const lp = replicas.get(leader)!;
    const port = await lp.started();
    const limit = pLimit(50);
    const rss: number[] = [];
    const heap: number[] = [];
    const rounds = Math.ceil(churnTotal / churnRound);
    let created = 0;
    for (let r = 0; r < rounds; r++) {
      const names = Array.from({ length: Math.min(churnRound, churnTotal - created) }, (_, i) => `c${r}-${i}`);
      created += names.length;
      await Promise.all(
        names.map((name, i) =>
          limit(async () => {
            const s = sourceBody(i % 2 === 0 ? 'KafkaSource' : 'RedisStreamSource', churnNs, name);
            await post(s.path, s.body);
          }),
        ),
      );
      // Let the controller see most of them before they go, so the deletions race real reconciles.
      const wantDeployments = Math.floor(names.length * 0.8);
      const seenBy = Date.now() + 120_000;
      while (Date.now() < seenBy && (await auditor.audit(churnNs)).deployments < wantDeployments) await new Promise((res) => setTimeout(res, 500));
      await Promise.all(
        names.map((name, i) =>
          limit(() =>
            k.client
              .json({ method: 'DELETE', path: `/apis/sources.headwater.dev/v1alpha1/namespaces/${churnNs}/${i % 2 === 0 ? 'kafkasources' : 'redisstreamsources'}/${name}` })
              .catch((err: unknown) => {
                if (!(err instanceof NotFoundError)) throw err;
              }),
          ),
        ),
      );
      const left = await leftIn(churnNs);
      expect(left).toMatchObject({ sources: 0, deployments: 0, replicaSets: 0 });
      // Quiet queue, then measure.
      const quietBy = Date.now() + 60_000;
      while (Date.now() < quietBy && (await metric(port, 'headwater_workqueue_depth')) > 0) await new Promise((res) => setTimeout(res, 500));
      rss.push(Math.round(lp.rssMiB()));
      heap.push(Math.round((await metric(port, 'nodejs_heap_size_used_bytes')) / 1048576));
      console.log(`[faults churn] round ${r + 1}/${rounds}: ${created} created+deleted, leader RSS ${rss.at(-1)} MiB, heap used ${heap.at(-1)} MiB`);
    }
    const rsList = (await leftIn(churnNs, 0)).replicaSets;
    const depth = await metric(port, 'headwater_workqueue_depth');
    // Flat: after the first round (caches and JIT warm), later rounds may not grow memory by more than noise.
    const rssGrowth = (rss.at(-1) ?? 0) - (rss[0] ?? 0);
    const heapGrowth = (heap.at(-1) ?? 0) - (heap[0] ?? 0);
    const flat = rssGrowth <= Math.max(40, (rss[0] ?? 0) * 0.25) && heapGrowth <= 24;
    record('controller', {
      area: 'Control plane',
      fault: `${created} sources created and deleted, ${churnRound} at a time (50 requests in flight)`,
      measures: { rounds, leaderRssMiBPerRound: rss.join(' → '), heapUsedMiBPerRound: heap.join(' → '), replicaSetsLeft: rsList, queueDepthAtEnd: depth },
      expectation: 'after every round 0 sources and 0 Deployments left; RSS growth first→last round ≤ max(40 MiB, 25%), heap growth ≤ 24 MiB; queue empty',
      passed: flat && rsList === 0 && depth === 0,
      seconds: (performance.now() - t0) / 1000,
    });
    expect(depth).toBe(0);
    expect(rsList).toBe(0);
    expect(heapGrowth).toBeLessThanOrEqual(24);
    expect(rssGrowth).toBeLessThanOrEqual(Math.max(40, (rss[0] ?? 0) * 0.25));
  });
});

