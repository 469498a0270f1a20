/**
 * Runs the real `headwater-adapter` entry point (adapter/main.ts through tsx) as a child process, with its JSON
 * log lines collected, so tests exercise the binary the way a Deployment does: env in, health port, signals.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface AdapterProcess {
  readonly child: ChildProcess;
  readonly logs: Record<string, unknown>[];
  readonly stderr: string[];
  /** Resolves with the first log line matching; rejects after timeoutMs or if the process exits first. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** The health/metrics base URL, from the "adapter starting" line. */
  healthUrl(): Promise<string>;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function startAdapter(args: string[], env: Record<string, string>): AdapterProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapter/main.ts', ...args], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', PORT: '0', BIND_ADDRESS: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const lines = new EventEmitter();
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) {
      if (p.trim() === '') continue;
      try {
        const line = JSON.parse(p) as Record<string, unknown>;
        logs.push(line);
        lines.emit('line', line);
      } catch {
        stderr.push(`(stdout, not JSON) ${p}`);
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    lines.emit('exit');
  });

  const waitForLog: AdapterProcess['waitForLog'] = (match, timeoutMs = 30_000) => {
    const found = logs.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        lines.off('line', onLine);
        lines.off('exit', onExit);
      };
      const onLine = (line: Record<string, unknown>): void => {
        if (!match(line)) return;
        cleanup();
        resolve(line);
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error(`adapter exited before the expected log line; stderr: ${stderr.join('')}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`expected log line did not come within ${timeoutMs} ms; stderr: ${stderr.join('')}`));
      }, timeoutMs);
      lines.on('line', onLine);
      if (hasExited) onExit();
      else lines.on('exit', onExit);
    });
  };

  return {
    child,
    logs,
    stderr,
    waitForLog,
    healthUrl: async () => String((await waitForLog((l) => l.msg === 'adapter starting')).health),
    exited,
    async stop() {
      if (!hasExited) child.kill('SIGTERM');
      return exited;
    },
  };
}
