/**
 * A private server (redis-server, nats-server, a Kafka JVM) run as a child process of the test, in a temp dir of
 * its own: output collected, "ready" recognised by a line of its log, and killed (and its dir removed) at the end,
 * also when the test process exits early, so no server outlives its test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServerProcess {
  readonly name: string;
  /** The server's own temp dir (data, config); removed by stop(). */
  readonly dir: string;
  readonly output: string[];
  /** Resolves once a line of its output matches; rejects if it exits first or after timeoutMs. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, SIGKILL after `graceMs`, then the temp dir is removed. */
  stop(graceMs?: number): Promise<void>;
}

export function makeServerDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `headwater-${name}-`));
}

export function spawnServer(name: string, dir: string, command: string, args: string[]): ServerProcess {
  const child: ChildProcess = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  // A spawn failure (binary missing) is reported through waitForOutput as an early exit.
  child.on('error', (err) => {
    output.push(`spawn error: ${err.message}`);
    exited = true;
  });
  const collect = (chunk: Buffer): void => {
    output.push(...chunk.toString().split('\n').filter((l) => l !== ''));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const killOnExit = (): void => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  return {
    name,
    dir,
    output,
    async waitForOutput(pattern, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!output.some((l) => pattern.test(l))) {
        if (exited) throw new Error(`${name} exited before it was ready:\n${output.slice(-20).join('\n')}`);
        if (Date.now() > deadline) throw new Error(`${name} not ready within ${timeoutMs} ms:\n${output.slice(-20).join('\n')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(graceMs = 5_000) {
      process.off('exit', killOnExit);
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exit;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
