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

function runner(prepare: () => Promise<SpawnSpec>, events: string[] = []) {
  const changes: ContainerSnapshot[] = [];
  const r = new ContainerRunner({
    name: 'c',
    image: 'headwater/testing:1',
    restartPolicy: 'Always',
    podIP: '127.0.0.1',
    backoff: { baseMs: 50, maxMs: 200, resetAfterMs: 60_000 },
    initialRestartCount: 0,
    prepare,
    onChange: () => changes.push(r.snapshot()),
    event: (_type, reason) => events.push(reason),
    log: quiet,
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
});
