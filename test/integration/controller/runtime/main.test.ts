/**
 * controller/main.ts as a process against the real apiserver. The test holds the leader Lease itself,
 * so the process stays a standby and never touches the objects other tests own: it must still sync its
 * caches, answer /healthz, /readyz and /metrics, and stop cleanly on SIGTERM.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { microTime } from '../../../../controller/runtime/leader.js';
import { KubeClient } from '../../../../lib/kube/client.js';
import { testEnv } from '../../../support/env.js';
import { createNamespace, deleteNamespace, eventually, loadTestKubeConfig, repoRoot, uniqueName } from './cluster.js';

const execFileAsync = promisify(execFile);

interface Run {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

function runMain(env: Record<string, string>): Run {
  const child = spawn(`${repoRoot}node_modules/.bin/tsx`, ['controller/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        lines.push({ msg: p, unparsed: true });
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => lines.push({ msg: chunk.toString('utf8'), stderr: true }));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

describe('controller/main.ts', () => {
  const ns = uniqueName('hw-main');
  let client: KubeClient;

  beforeAll(async () => {
    client = new KubeClient(loadTestKubeConfig());
    // The reconcilers watch the Headwater kinds: their CRDs must exist (applying the same files again is a no-op).
    await execFileAsync(`${testEnv.kubeBin()}/kubectl`, ['apply', '--server-side', '--force-conflicts', '-k', 'crds/'], {
      cwd: repoRoot,
      env: { ...process.env, KUBECONFIG: testEnv.kubeconfig() },
    });
    await createNamespace(client, ns);
    const now = microTime(new Date());
    await client.json({
      method: 'POST',
      path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`,
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: 'headwater-controller', namespace: ns },
        spec: { holderIdentity: 'the-test', leaseDurationSeconds: 3600, acquireTime: now, renewTime: now },
      },
    });
  });

  afterAll(async () => {
    if (client) await eventually(() => deleteNamespace(client, ns));
    client?.destroy();
  });

  it('syncs, serves health and metrics as a standby, and exits 0 on SIGTERM', async () => {
    const run = runMain({
      KUBECONFIG: testEnv.kubeconfig(),
      HEADWATER_ADAPTER_IMAGE: 'headwater:test',
      SYSTEM_NAMESPACE: ns,
      METRICS_PORT: '0',
      POD_NAME: 'main-test',
      LOG_LEVEL: 'info',
    });
    try {
      const started = await vi.waitFor(
        () => {
          const line = run.lines.find((l) => l.msg === 'controller started');
          if (!line) throw new Error(`not started yet: ${JSON.stringify(run.lines.slice(-3))}`);
          return line;
        },
        { timeout: 60_000, interval: 200 },
      );
      expect(started.kinds).toEqual(expect.arrayContaining(['CronSource', 'KafkaSource', 'SinkBinding', 'Trigger']));
      const base = `http://127.0.0.1:${started.metricsPort}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      await vi.waitFor(async () => expect((await fetch(`${base}/readyz`)).status).toBe(200), { timeout: 60_000, interval: 250 });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^headwater_leader 0$/m);
      expect(metrics).toContain('process_cpu_seconds_total');
      // A standby never reconciles and never writes.
      expect(metrics).not.toMatch(/^headwater_reconcile_total\{/m);
      expect(metrics).not.toMatch(/^headwater_api_writes_total\{/m);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited).toBe(0);
    expect(run.lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    expect(run.lines.filter((l) => l.level === 'error' || l.stderr)).toEqual([]);
  });

  it('refuses to start without HEADWATER_ADAPTER_IMAGE and names the variable', async () => {
    const run = runMain({ KUBECONFIG: testEnv.kubeconfig(), SYSTEM_NAMESPACE: ns, METRICS_PORT: '0' });
    expect(await run.exited).toBe(2);
    const failure = run.lines.find((l) => l.msg === 'controller failed to start');
    expect(JSON.stringify(failure)).toContain('HEADWATER_ADAPTER_IMAGE: is not set');
  });
});
