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
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError } from '../../lib/kube/errors.js';
import { uniqueName } from '../support/env.js';
import { StandInKubelet } from '../support/stand-in-kubelet.js';
import { waitFor } from '../support/wait-for.js';
import { adapterSelector } from '../../controller/reconciler/shared/adapter-deployment.js';
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
/** Namespaces whose pods the stand-in kubelet runs (not the churn one: its Deployments need not become Available). */
const watchedNamespaces: string[] = [ns, SYS];

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
  // The resolver role is aggregated (duck.knative.dev/addressable) by kube-controller-manager, a moment after the
  // apply: an installer waits for its rules before starting the controller, and so does this suite (a controller
  // started earlier logs one Forbidden for services and recovers, which the baseline case counts as a failure).
  await waitFor(
    'the aggregated ClusterRole headwater-addressable-resolver to hold its rules',
    async () => {
      const role = await k.client.json<{ rules?: { resources?: string[] }[] }>({
        method: 'GET',
        path: '/apis/rbac.authorization.k8s.io/v1/clusterroles/headwater-addressable-resolver',
      });
      return (role.rules ?? []).some((r) => r.resources?.includes('services')) ? true : undefined;
    },
    60_000,
  );
  const { stdout: token } = await k.kubectl(['create', 'token', 'headwater-controller', '-n', SYS, '--duration=2h']);
  saKubeconfig = k.kubeconfigWithToken(token.trim(), join(tmpdir(), `headwater-faults-sa-${process.pid}.kubeconfig`));
  kubelet = new StandInKubelet(k.kubeConfig, { nodeName: 'faults-stand-in', namespaces: () => watchedNamespaces });
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
  for (const n of [ns, churnNs, ...watchedNamespaces.filter((w) => w !== SYS)]) await k?.client.json({ method: 'DELETE', path: `/api/v1/namespaces/${n}` }).catch(() => undefined);
  k?.client.destroy();
  // The file holds a ServiceAccount token (of the private cluster, but still a credential).
  if (saKubeconfig) rmSync(saKubeconfig, { force: true });
  await k?.downIfStarted();
});

describe('security on the same cluster', () => {
  const secNs = uniqueName('faults-sec');
  const secret = (tag: string): string => `${tag}-${randomBytes(12).toString('hex')}`;
  const values = { saslUser: secret('user'), saslPassword: secret('pw'), kafkaCa: secret('ca'), redisPassword: secret('redispw'), redisCa: secret('redisca') };

  beforeAll(async () => {
    await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: secNs } });
    watchedNamespaces.push(secNs);
  });

  it('secrets stay in their secretKeyRef: not in any created object, status, event or controller log', async () => {
    const t0 = performance.now();
    for (const [name, data] of [
      ['kafka-creds', { user: values.saslUser, password: values.saslPassword, ca: values.kafkaCa }],
      ['redis-creds', { password: values.redisPassword, ca: values.redisCa }],
    ] as const) {
      await post(`/api/v1/namespaces/${secNs}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: secNs }, stringData: data });
    }
    const ref = (name: string, key: string) => ({ secretKeyRef: { name, key } });
    const kafka = sourceBody('KafkaSource', secNs, 'with-sasl', {
      net: { sasl: { enable: true, type: 'SCRAM-SHA-512', user: ref('kafka-creds', 'user'), password: ref('kafka-creds', 'password') }, tls: { enable: true, caCert: ref('kafka-creds', 'ca') } },
    });
    const redis = sourceBody('RedisStreamSource', secNs, 'with-password', { password: ref('redis-creds', 'password'), tls: { enable: true, caCert: ref('redis-creds', 'ca') } });
    await post(kafka.path, kafka.body);
    await post(redis.path, redis.body);
    await post(`/apis/sources.headwater.dev/v1alpha1/namespaces/${secNs}/cronsources`, {
      apiVersion: 'sources.headwater.dev/v1alpha1',
      kind: 'CronSource',
      metadata: { name: 'tick', namespace: secNs },
      spec: { schedule: '*/5 * * * *', data: '{"secret":"none here"}', sink: { uri: 'http://127.0.0.1:9/sink' } },
    });
    await auditor.settled(secNs, 2);
    // Everything the controller (and the kube-controller-manager after it) made, in full.
    const paths = [
      `/apis/apps/v1/namespaces/${secNs}/deployments`,
      `/apis/apps/v1/namespaces/${secNs}/replicasets`,
      `/api/v1/namespaces/${secNs}/pods`,
      `/api/v1/namespaces/${secNs}/configmaps`,
      `/api/v1/namespaces/${secNs}/events`,
      `/apis/events.k8s.io/v1/namespaces/${secNs}/events`,
      `/apis/sources.headwater.dev/v1alpha1/namespaces/${secNs}/kafkasources`,
      `/apis/sources.headwater.dev/v1alpha1/namespaces/${secNs}/redisstreamsources`,
      `/apis/sources.headwater.dev/v1alpha1/namespaces/${secNs}/cronsources`,
      `/apis/apps/v1/namespaces/${SYS}/deployments`,
      `/api/v1/namespaces/${SYS}/configmaps`,
    ];
    let bytes = 0;
    const found: string[] = [];
    const needles = Object.values(values).flatMap((v) => [v, Buffer.from(v).toString('base64')]);
    for (const path of paths) {
      const text = JSON.stringify(await k.client.json({ method: 'GET', path }));
      bytes += text.length;
      for (const n of needles) if (text.includes(n)) found.push(`${path} contains ${n}`);
    }
    const logs = allControllers.map((c) => c.raw.join('')).join('');
    for (const n of needles) if (logs.includes(n)) found.push(`controller log contains ${n}`);
    // Not vacuous: the adapter Deployments do carry the secrets, by reference.
    const deps = await k.client.json<{ items: { metadata: { name: string }; spec: { template: { spec: { containers: { env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[] }[] } } } }[] }>({ method: 'GET', path: `/apis/apps/v1/namespaces/${secNs}/deployments` });
    const refs = deps.items.flatMap((d) => (d.spec.template.spec.containers[0]?.env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => `${e.name}←${e.valueFrom?.secretKeyRef?.name}/${e.valueFrom?.secretKeyRef?.key}`));
    record('security', {
      area: 'Security',
      fault: 'secret values (SASL user/password, Kafka CA, Redis password and CA) searched in objects and controller logs',
      measures: { objectsSearchedBytes: bytes, controllerLogBytes: logs.length, secretKeyRefsInDeployments: refs.length, hits: found.length },
      expectation: 'no value (raw or base64) anywhere; the adapter Deployments reference all five by secretKeyRef',
      passed: found.length === 0 && refs.length === 5,
      seconds: (performance.now() - t0) / 1000,
    });
    expect(found).toEqual([]);
    expect(refs.sort()).toEqual(
      ['KAFKA_SASL_PASSWORD←kafka-creds/password', 'KAFKA_SASL_USER←kafka-creds/user', 'KAFKA_TLS_CA←kafka-creds/ca', 'REDIS_PASSWORD←redis-creds/password', 'REDIS_TLS_CA←redis-creds/ca'].sort(),
    );
  });

  it('every Deployment runs non-root, read-only root filesystem, no privilege escalation; only the cron adapter gets an API token', async () => {
    const t0 = performance.now();
    interface Dep {
      metadata: { name: string; namespace: string };
      spec: { template: { spec: { serviceAccountName?: string; automountServiceAccountToken?: boolean; securityContext?: { runAsNonRoot?: boolean; runAsUser?: number }; containers: { name: string; securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; privileged?: boolean; capabilities?: { drop?: string[] } } }[] } } };
    }
    const all: Dep[] = [];
    for (const n of [secNs, SYS]) all.push(...(await k.client.json<{ items: Dep[] }>({ method: 'GET', path: `/apis/apps/v1/namespaces/${n}/deployments` })).items);
    // The controller's own Deployment, as config/ ships it.
    const shipped = (await k.kubectl(['apply', '-f', 'config/controller/deployment.yaml', '--dry-run=client', '-o', 'json'])).stdout;
    const shippedList = JSON.parse(shipped) as { items?: Dep[]; kind: string } & Dep;
    all.push(...(shippedList.items ?? [shippedList]).filter((o) => (o as { kind?: string }).kind === 'Deployment'));
    const problems: string[] = [];
    for (const d of all) {
      const pod = d.spec.template.spec;
      const where = `${d.metadata.namespace ?? 'config/'}/${d.metadata.name}`;
      if (pod.securityContext?.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot not true`);
      if (pod.securityContext?.runAsUser === 0) problems.push(`${where}: runAsUser 0`);
      for (const c of pod.containers) {
        const sc = c.securityContext ?? {};
        if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}/${c.name}: root filesystem writable`);
        if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}/${c.name}: privilege escalation allowed`);
        if (sc.privileged === true) problems.push(`${where}/${c.name}: privileged`);
        if (!sc.capabilities?.drop?.includes('ALL')) problems.push(`${where}/${c.name}: capabilities not dropped`);
      }
      const isCron = pod.serviceAccountName === 'headwater-cron-adapter';
      const isController = pod.serviceAccountName === 'headwater-controller';
      if (!isCron && !isController && pod.automountServiceAccountToken !== false) problems.push(`${where}: API token mounted though the role needs none`);
    }
    const cron = all.find((d) => d.spec.template.spec.serviceAccountName === 'headwater-cron-adapter');
    record('security', {
      area: 'Security',
      fault: 'pod security of every Deployment created (Kafka, Redis, multi-tenant cron adapter) and of config/controller',
      measures: { deploymentsChecked: all.length, problems: problems.length },
      expectation: 'runAsNonRoot, readOnlyRootFilesystem, allowPrivilegeEscalation=false, drop ALL; automountServiceAccountToken=false except the cron adapter (reads CronSources) and the controller',
      passed: problems.length === 0 && cron !== undefined,
      seconds: (performance.now() - t0) / 1000,
    });
    expect(cron).toBeDefined();
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(problems).toEqual([]);
  });

  it('does not touch a Deployment it does not own, even one labelled as its adapter', async () => {
    const t0 = performance.now();
    const name = 'decoy-owner';
    const decoy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'someone-elses', namespace: secNs, labels: adapterSelector('KafkaSource', name) },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'someone-elses' } },
        template: { metadata: { labels: { app: 'someone-elses' } }, spec: { containers: [{ name: 'c', image: 'example/other:1' }] } },
      },
    };
    const created = await k.client.json<{ metadata: { resourceVersion: string; uid: string } }>({ method: 'POST', path: `/apis/apps/v1/namespaces/${secNs}/deployments`, body: decoy });
    const src = sourceBody('KafkaSource', secNs, name);
    await post(src.path, src.body);
    // (settled() would wait forever: the decoy counts as an orphan there, having no owner.)
    let a = await auditor.audit(secNs);
    for (const deadline = Date.now() + 120_000; Date.now() < deadline && !(a.ready === 3 && a.withoutDeployment.length === 0); ) {
      await new Promise((r) => setTimeout(r, 500));
      a = await auditor.audit(secNs);
    }
    expect(a.ready).toBe(3);
    const live = await k.client.json<{ metadata: { resourceVersion: string; uid: string; ownerReferences?: unknown[] } }>({ method: 'GET', path: `/apis/apps/v1/namespaces/${secNs}/deployments/someone-elses` });
    await k.client.json({ method: 'DELETE', path: `${src.path}/${name}` });
    const after = await k.client.json<{ metadata: { resourceVersion: string; uid: string } }>({ method: 'GET', path: `/apis/apps/v1/namespaces/${secNs}/deployments/someone-elses` });
    const untouched = live.metadata.uid === created.metadata.uid && after.metadata.uid === created.metadata.uid && live.metadata.ownerReferences === undefined;
    record('security', {
      area: 'Security',
      fault: 'a foreign Deployment carrying a source\'s adapter labels',
      measures: { sameUidAfterReconcileAndDelete: String(untouched) },
      expectation: 'never adopted, updated or deleted (RBAC cannot express ownership; the reconciler checks ownerReferences)',
      passed: untouched,
      seconds: (performance.now() - t0) / 1000,
    });
    expect(live.metadata.ownerReferences).toBeUndefined();
    expect(after.metadata.uid).toBe(created.metadata.uid);
  });

  it('RBAC: the controller is refused what it should not do; adapters get no API access beyond the cron adapter\'s reads', async () => {
    const t0 = performance.now();
    const can = async (as: string, verb: string, resource: string, namespace = secNs): Promise<boolean> => {
      try {
        await k.kubectl(['auth', 'can-i', verb, resource, '-n', namespace, '--quiet'], { as });
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === 1) return false;
        throw err;
      }
    };
    const cronSa = `system:serviceaccount:${SYS}:headwater-cron-adapter`;
    const adapterSa = `system:serviceaccount:${secNs}:default`;
    const allowed: [string, string, string, string?][] = [
      [controllerSa, 'create', 'deployments.apps'],
      [controllerSa, 'delete', 'deployments.apps'],
      [controllerSa, 'patch', 'kafkasources.sources.headwater.dev/status'],
      [controllerSa, 'create', 'events'],
      [controllerSa, 'update', 'leases.coordination.k8s.io/headwater-controller', SYS],
      [cronSa, 'watch', 'cronsources.sources.headwater.dev'],
    ];
    const refused: [string, string, string, string?][] = [
      [controllerSa, 'get', 'secrets'],
      [controllerSa, 'list', 'secrets'],
      [controllerSa, 'get', 'secrets', SYS],
      [controllerSa, 'create', 'pods'],
      [controllerSa, 'create', 'pods/exec'],
      [controllerSa, 'update', 'configmaps'],
      [controllerSa, 'delete', 'namespaces'],
      [controllerSa, 'create', 'serviceaccounts/token'],
      [controllerSa, 'create', 'clusterrolebindings.rbac.authorization.k8s.io'],
      [controllerSa, 'create', 'rolebindings.rbac.authorization.k8s.io'],
      [controllerSa, 'escalate', 'clusterroles.rbac.authorization.k8s.io'],
      [controllerSa, 'impersonate', 'users'],
      [controllerSa, 'delete', 'kafkasources.sources.headwater.dev'],
      [controllerSa, 'update', 'leases.coordination.k8s.io/another-lease', SYS],
      [controllerSa, 'update', 'validatingwebhookconfigurations.admissionregistration.k8s.io/someone-elses'],
      [cronSa, 'get', 'secrets', SYS],
      [cronSa, 'list', 'kafkasources.sources.headwater.dev'],
      [cronSa, 'patch', 'cronsources.sources.headwater.dev/status'],
      [cronSa, 'list', 'deployments.apps'],
      [adapterSa, 'list', 'kafkasources.sources.headwater.dev'],
      [adapterSa, 'get', 'secrets'],
      [adapterSa, 'get', 'configmaps'],
    ];
    const wrong: string[] = [];
    for (const [as, verb, res, n] of allowed) if (!(await can(as, verb, res, n))) wrong.push(`${as} cannot ${verb} ${res} (needed)`);
    for (const [as, verb, res, n] of refused) if (await can(as, verb, res, n)) wrong.push(`${as} can ${verb} ${res} (should not)`);
    // Real requests too, not only the authorizer's opinion: a read of the Secret the sources reference is refused,
    // a server-side dry-run create of a Deployment is admitted.
    let secretRead = 'allowed';
    try {
      await k.kubectl(['get', 'secret', 'kafka-creds', '-n', secNs, '-o', 'name'], { as: controllerSa });
    } catch (err) {
      secretRead = /Forbidden|forbidden/.test(String((err as { stderr?: string }).stderr)) ? 'Forbidden' : String((err as { stderr?: string }).stderr);
    }
    const dry = await k.kubectl(['create', 'deployment', 'dry-run-probe', '--image=example/x:1', '-n', secNs, '--dry-run=server', '-o', 'name'], { as: controllerSa }).then(
      () => 'admitted',
      (err: { stderr?: string }) => String(err.stderr),
    );
    record('security', {
      area: 'Security',
      fault: 'RBAC from config/ on the real authorizer (kubectl auth can-i --as, and real requests)',
      measures: { allowedChecked: allowed.length, refusedChecked: refused.length, wrong: wrong.length, controllerReadsReferencedSecret: secretRead, controllerCreatesDeployment: dry },
      expectation: 'every needed verb allowed, every listed one refused; GET of the referenced Secret answers Forbidden',
      passed: wrong.length === 0 && secretRead === 'Forbidden' && dry === 'admitted',
      seconds: (performance.now() - t0) / 1000,
    });
    expect(wrong).toEqual([]);
    expect(secretRead).toBe('Forbidden');
    expect(dry).toBe('admitted');
  });
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

