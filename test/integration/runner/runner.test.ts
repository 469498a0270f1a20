/**
 * The local node runner against the real apiserver and kube-controller-manager: Deployments become
 * ReplicaSets and Pods (real controllers), the runner binds and runs them as processes on their own
 * loopback addresses, reports status, restarts crashes, serves Service names, and stops deleted Pods.
 *
 * Isolation on the shared cluster: the test's runner taints its Node, so it binds only this test's
 * Pods (which tolerate the taint and select the Node); no other runner can bind them.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, CoordinationV1Api, CoreV1Api, KubeConfig, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/log.js';
import { defaultImageTable } from '../../../hack/runner/image-table.js';
import { defaultRunnerConfig, type RunningRunner, startRunner } from '../../../hack/runner/runner.js';
import { testEnv } from '../../support/env.js';
import { waitFor } from '../../support/wait-for.js';

const suffix = randomBytes(3).toString('hex');
const ns = `runner-it-${suffix}`;
const nodeName = `runner-it-${suffix}`;
// A fresh pair of /16s per run: processes orphaned by a killed earlier run cannot hold our addresses.
const octet = 150 + 2 * Math.floor(Math.random() * 50);
const podCIDR = `127.${octet}.0.0/16`;
const serviceCIDR = `127.${octet + 1}.0.0/16`;
const taint = { key: 'headwater.dev/test-runner', value: suffix, effect: 'NoSchedule' };

const kc = new KubeConfig();
let core: CoreV1Api;
let apps: AppsV1Api;
let runner: RunningRunner | undefined;

function httpGet(url: string, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, timeout: 5000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function deployment(name: string, image: string, extra: Partial<NonNullable<V1Deployment['spec']>['template']['spec']> = {}): V1Deployment {
  return {
    metadata: { name, namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': nodeName },
          tolerations: [{ ...taint, operator: 'Equal' }],
          terminationGracePeriodSeconds: 5,
          containers: [{ name: 'main', image }],
          ...extra,
        },
      },
    },
  };
}

async function podOf(app: string): Promise<V1Pod | undefined> {
  const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: `app=${app}` });
  return pods.items.find((p) => !p.metadata?.deletionTimestamp);
}

function isReady(pod: V1Pod | undefined): boolean {
  return pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

beforeAll(async () => {
  kc.loadFromFile(testEnv.kubeconfig());
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: ns } } });
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cfg' }, data: { GREETING: 'hello-from-configmap' } } });
  await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'sec' }, stringData: { token: 's3cret' } } });
  const base = defaultRunnerConfig({ kubeconfig: testEnv.kubeconfig(), nodeName });
  runner = await startRunner({
    ...base,
    nodeLabels: { ...base.nodeLabels, 'kubernetes.io/hostname': nodeName },
    taints: [taint],
    podCIDR,
    serviceCIDR,
    fromSource: true,
    images: [
      ...defaultImageTable(),
      { kind: 'program', image: 'headwater/testing:*', file: 'test/fixtures/runner/test-server.ts' },
      { kind: 'program', image: 'headwater/testing-job:*', file: 'test/fixtures/runner/job.ts' },
    ],
    stateDir: `${testEnv.repoRoot}.headwater/test-runner/${nodeName}`,
    backoff: { baseMs: 1000, maxMs: 5000, resetAfterMs: 600_000 },
    heartbeatMs: 2000,
    deleteNodeOnExit: true,
    log: createLogger({ component: 'runner', node: nodeName }, { level: 'warn' }),
  });
});

afterAll(async () => {
  await runner?.stop();
  await core?.deleteNamespace({ name: ns }).catch(() => undefined);
});

describe('local node runner', () => {
  let pid = 0;
  let podIP = '';

  it('registers a Ready node with a lease', async () => {
    const node = await core.readNode({ name: nodeName });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.spec?.taints?.map((t) => t.key)).toContain(taint.key);
    const lease = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: 'kube-node-lease', name: nodeName });
    expect(lease.spec?.holderIdentity).toBe(nodeName);
  });

  it('runs a Deployment of our image as a Running, Ready pod on its own loopback address with its env resolved', async () => {
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('echo', 'headwater/testing:1', {
        containers: [
          {
            name: 'main',
            image: 'headwater/testing:1',
            args: ['--greeting', '$(GREETING)'],
            ports: [{ name: 'http', containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 1 },
            envFrom: [{ configMapRef: { name: 'cfg' } }],
            env: [
              { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'sec', key: 'token' } } },
              { name: 'MY_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'MY_NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            ],
          },
        ],
      }),
    });
    const pod = await waitFor('echo pod Ready', async () => {
      const p = await podOf('echo');
      return isReady(p) && p?.status?.phase === 'Running' ? p : undefined;
    });
    expect(pod.spec?.nodeName).toBe(nodeName);
    podIP = pod.status?.podIP ?? '';
    expect(podIP.startsWith(`127.${octet}.`)).toBe(true);
    expect(pod.status?.conditions?.map((c) => c.type).sort()).toEqual(['ContainersReady', 'Initialized', 'PodScheduled', 'Ready']);
    const info = JSON.parse((await httpGet(`http://${podIP}:8080/info`)).body) as { pid: number; argv: string[]; env: Record<string, string>; host: string };
    pid = info.pid;
    expect(info.host).toBe(podIP);
    expect(info.argv).toEqual(['--greeting', 'hello-from-configmap']);
    expect(info.env).toMatchObject({
      GREETING: 'hello-from-configmap',
      TOKEN: 's3cret',
      MY_NAME: pod.metadata?.name,
      MY_IP: podIP,
      MY_NODE: nodeName,
      POD_IP: podIP,
    });
    // Only the pod's own environment plus the basics: the runner's environment does not leak in.
    expect(info.env.HEADWATER_KAFKA_BROKERS).toBeUndefined();
  });

  it('serves the container log to `kubectl logs` through the apiserver', async () => {
    const pod = await podOf('echo');
    const kubectl = join(testEnv.kubeBin(), 'kubectl');
    // Asynchronously: the runner serving the logs lives in this very process.
    const { stdout: logs } = await promisify(execFile)(kubectl, ['--kubeconfig', testEnv.kubeconfig(), 'logs', '-n', ns, pod?.metadata?.name ?? '', '-c', 'main'], {
      encoding: 'utf8',
    });
    expect(logs).toContain(`test-server listening on ${podIP}:8080 argv=["--greeting","hello-from-configmap"]`);
    const tail = await core.readNamespacedPodLog({ namespace: ns, name: pod?.metadata?.name ?? '', container: 'main', tailLines: 1 });
    expect(tail.trim().split('\n')).toHaveLength(1);
  });

  it('reaches the pod through its cluster-local Service name, on a Service port that differs from the pod port', async () => {
    await core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'echo' }, spec: { selector: { app: 'echo' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } },
    });
    const answer = await waitFor('the Service name to answer', async () => {
      const r = await httpGet(`http://echo.${ns}.svc.cluster.local/info`);
      return r.status === 200 ? (JSON.parse(r.body) as { pid: number }) : undefined;
    });
    expect(answer.pid).toBe(pid);
  });

  it('restarts a crashed container with back-off and reports the restart', async () => {
    const crashed = await httpGet(`http://${podIP}:8080/crash`, 'POST');
    expect(crashed.status).toBe(202);
    const pod = await waitFor('restart', async () => {
      const p = await podOf('echo');
      const cs = p?.status?.containerStatuses?.[0];
      return cs && cs.restartCount >= 1 && isReady(p) ? p : undefined;
    });
    const cs = pod.status?.containerStatuses?.[0];
    expect(cs?.lastState?.terminated?.exitCode).toBe(3);
    expect(cs?.state?.running).toBeDefined();
    expect(pod.status?.podIP).toBe(podIP);
    const info = JSON.parse((await httpGet(`http://${podIP}:8080/info`)).body) as { pid: number };
    expect(info.pid).not.toBe(pid);
    pid = info.pid;
    const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${pod.metadata?.name}` });
    expect(events.items.map((e) => e.reason)).toEqual(expect.arrayContaining(['Scheduled', 'Started', 'BackOff']));
  });

  it('keeps a pod with a foreign image Pending with a Warning event that says why', async () => {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment('foreign', 'nginx:1.27') });
    const pod = await waitFor('foreign pod reported', async () => {
      const p = await podOf('foreign');
      return p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImageNotRunnable' ? p : undefined;
    });
    expect(pod.status?.phase).toBe('Pending');
    expect(pod.spec?.nodeName).toBe(nodeName);
    const event = await waitFor('ImageNotRunnable event', async () => {
      const events = await core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${pod.metadata?.name}` });
      return events.items.find((e) => e.reason === 'ImageNotRunnable');
    });
    expect(event.type).toBe('Warning');
    expect(event.message).toContain('nginx:1.27');
    expect(event.message).toContain('runs only Headwater');
  });

  it('runs init containers to completion, one after the other, before the app container', async () => {
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('inits', 'headwater/testing:1', {
        initContainers: [
          { name: 'first', image: 'headwater/testing-job:1', env: [{ name: 'MESSAGE', value: 'one' }] },
          { name: 'second', image: 'headwater/testing-job:1', env: [{ name: 'MESSAGE', value: 'two' }] },
        ],
      }),
    });
    const pod = await waitFor('inits pod Ready', async () => {
      const p = await podOf('inits');
      return isReady(p) ? p : undefined;
    });
    expect(pod.status?.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
    const inits = pod.status?.initContainerStatuses ?? [];
    expect(inits.map((c) => [c.name, c.state?.terminated?.reason, c.state?.terminated?.exitCode])).toEqual([
      ['first', 'Completed', 0],
      ['second', 'Completed', 0],
    ]);
    // In order: the second started only after the first had finished.
    const [first, second] = inits.map((c) => c.state?.terminated);
    expect(new Date(second?.startedAt ?? 0).getTime()).toBeGreaterThanOrEqual(new Date(first?.finishedAt ?? 0).getTime());
    const log = await core.readNamespacedPodLog({ namespace: ns, name: pod.metadata?.name ?? '', container: 'second' });
    expect(log).toContain('says two');
  });

  it('keeps a pod whose init container fails Pending (Init:CrashLoopBackOff) without starting the app container', async () => {
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: deployment('badinit', 'headwater/testing:1', {
        initContainers: [{ name: 'fails', image: 'headwater/testing-job:1', env: [{ name: 'EXIT_CODE', value: '4' }] }],
      }),
    });
    const pod = await waitFor('the init container restarted', async () => {
      const p = await podOf('badinit');
      return (p?.status?.initContainerStatuses?.[0]?.restartCount ?? 0) >= 1 ? p : undefined;
    });
    expect(pod.status?.phase).toBe('Pending');
    expect(pod.status?.initContainerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(4);
    expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.reason).toBe('PodInitializing');
    expect(pod.status?.conditions?.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized' });
  });

  it('stops the process and finalizes the deletion when the Deployment goes', async () => {
    const pod = await podOf('echo');
    await apps.deleteNamespacedDeployment({ name: 'echo', namespace: ns, propagationPolicy: 'Foreground' });
    await waitFor('pod deleted', async () => {
      const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=echo' });
      return pods.items.length === 0 ? true : undefined;
    });
    expect(pod?.metadata?.name).toBeDefined();
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    await expect(httpGet(`http://${podIP}:8080/info`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('registers its Node again when someone deletes it', async () => {
    const before = await core.readNode({ name: nodeName });
    await core.deleteNode({ name: nodeName });
    const after = await waitFor('the node back', async () => {
      const n = await core.readNode({ name: nodeName });
      return n.metadata?.uid !== before.metadata?.uid && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? n : undefined;
    });
    expect(after.spec?.taints?.map((t) => t.key)).toContain(taint.key);
  });
});
