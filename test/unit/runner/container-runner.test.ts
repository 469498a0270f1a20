/**
 * ContainerRunner with real processes (node -e …): back-off after a crash, SIGKILL after the grace
 * period for a process that ignores SIGTERM, and a configuration error held as a waiting reason.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/log.js';
import { ContainerRunner, type SpawnSpec } from '../../../hack/runner/container-runner.js';
import { ContainerConfigError } from '../../../hack/runner/errors.js';
import type { ContainerSnapshot } from '../../../hack/runner/pod-status.js';

const quiet = createLogger({}, { write: () => {} });

function specFor(code: string): SpawnSpec {
  const dir = mkdtempSync(join(tmpdir(), 'hw-container-'));
  return { command: process.execPath, args: ['-e', code], env: {}, cwd: dir, logFile: join(dir, 'c.log'), recordDir: join(dir, 'records') };
}

function runner(prepare: () => Promise<SpawnSpec>, events: string[] = [], extra: Partial<ConstructorParameters<typeof ContainerRunner>[0]> = {}) {
  const changes: ContainerSnapshot[] = [];
  const r = new ContainerRunner({
    name: 'c',
    image: 'headwater/testing:1',
    restartPolicy: 'Always',
    podIP: '127.0.0.1',
    ...extra,
    backoff: { baseMs: 50, maxMs: 200, resetAfterMs: 60_000 },
    initialRestartCount: 0,
    prepare,
    onChange: () => changes.push(r.snapshot()),
    event: (_type, reason) => events.push(reason),
    log: quiet,
    ...extra,
  });
  return { r, changes };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((res) => setTimeout(res, 25));
  if (!check()) throw new Error(`never saw ${what}`);
}

describe('ContainerRunner', () => {
  it('restarts a crashing process through CrashLoopBackOff, counting restarts and keeping the last exit', async () => {
    const events: string[] = [];
    const { r, changes } = runner(async () => specFor('process.exit(7)'), events);
    r.start();
    await until('two restarts', () => r.snapshot().restartCount >= 2);
    await r.stop(1000);
    const backoff = changes.find((c) => c.state.kind === 'waiting' && c.state.reason === 'CrashLoopBackOff');
    expect(backoff?.lastTermination).toMatchObject({ exitCode: 7, reason: 'Error' });
    expect(events).toEqual(expect.arrayContaining(['Started', 'BackOff']));
  });

  it('sends SIGKILL after the grace period to a process that ignores SIGTERM', async () => {
    const { r } = runner(async () => specFor("process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('up')"));
    r.start();
    await until('running', () => r.snapshot().state.kind === 'running');
    // Give node a moment to install its SIGTERM handler before the stop.
    await new Promise((res) => setTimeout(res, 300));
    await r.stop(300);
    expect(r.snapshot().state).toMatchObject({ kind: 'terminated', signal: 'SIGKILL', exitCode: 137 });
  });

  it('holds a configuration error as the waiting reason and retries', async () => {
    let calls = 0;
    const { r } = runner(async () => {
      calls++;
      throw new ContainerConfigError('c', 'env X: Secret "s" not found');
    });
    r.start();
    await until('two attempts', () => calls >= 2);
    await r.stop(100);
    expect(r.snapshot().state).toEqual({ kind: 'waiting', reason: 'CreateContainerConfigError', message: 'env X: Secret "s" not found' });
    expect(r.snapshot().restartCount).toBe(0);
  });

  it('follows the readiness probe, and restarts a container whose liveness probe fails', async () => {
    // Its own loopback address, so port 8080 is free whatever else runs on this machine.
    const ip = `127.77.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
    const serving = (status: number) => specFor(`require('node:http').createServer((q, s) => s.writeHead(${status}).end()).listen(8080, '${ip}')`);
    const probes = {
      podIP: ip,
      readinessProbe: { httpGet: { path: '/readyz', port: 8080 }, periodSeconds: 1 },
      livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1, failureThreshold: 2, terminationGracePeriodSeconds: 1 },
    };
    const healthy = runner(async () => serving(200), [], probes);
    healthy.r.start();
    await until('ready', () => healthy.r.snapshot().ready);
    await healthy.r.stop(1000);
    expect(healthy.r.snapshot().restartCount).toBe(0);

    const events: string[] = [];
    const sick = runner(async () => serving(500), events, probes);
    sick.r.start();
    await until('a liveness restart', () => sick.r.snapshot().restartCount >= 1);
    await sick.r.stop(500);
    expect(events).toEqual(expect.arrayContaining(['Unhealthy', 'Killing']));
    expect(sick.changes.some((c) => c.ready)).toBe(false);
  });

  it('holds readiness back until the startup probe succeeds, and restarts when it fails', async () => {
    const ip = `127.78.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}`;
    // Answers 503 on /started for its first second, then 200.
    const slow = specFor(
      `const t0 = Date.now(); require('node:http').createServer((q, s) => s.writeHead(q.url === '/started' && Date.now() - t0 < 1000 ? 503 : 200).end()).listen(8080, '${ip}')`,
    );
    const ok = runner(async () => slow, [], { podIP: ip, startupProbe: { httpGet: { path: '/started', port: 8080 }, periodSeconds: 1, failureThreshold: 5 } });
    ok.r.start();
    await until('ready after startup', () => ok.r.snapshot().ready);
    await ok.r.stop(1000);
    const runningBeforeReady = ok.changes.find((c) => c.state.kind === 'running');
    expect(runningBeforeReady?.ready).toBe(false);
    expect(ok.r.snapshot().restartCount).toBe(0);

    const events: string[] = [];
    const never = runner(async () => specFor(`require('node:http').createServer((q, s) => s.writeHead(503).end()).listen(8080, '${ip}')`), events, {
      podIP: ip,
      startupProbe: { httpGet: { path: '/started', port: 8080 }, periodSeconds: 1, failureThreshold: 1, terminationGracePeriodSeconds: 1 },
    });
    never.r.start();
    await until('a startup restart', () => never.r.snapshot().restartCount >= 1);
    await never.r.stop(500);
    expect(never.changes.some((c) => c.ready)).toBe(false);
    expect(events).toContain('Unhealthy');
  });
});
