/**
 * controller/main.ts as a child process (under tsx, as test/integration/controller/runtime/main.test.ts runs
 * it), with its JSON log lines kept for assertions (and for grepping them for secret values).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { testEnv } from '../../support/env.js';

export interface ControllerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  /** Raw stdout and stderr text, for greps. */
  readonly raw: string[];
  readonly exited: Promise<number | null>;
  /** Resolves with the metrics port once the process logged "controller started". */
  started(timeoutMs?: number): Promise<number>;
  kill9(): Promise<void>;
  stop(): Promise<number | null>;
  /** Resident memory now, in MiB (from /proc). */
  rssMiB(): number;
}

export function startController(name: string, env: Record<string, string>): ControllerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'controller/main.ts'], {
    cwd: testEnv.repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', POD_NAME: name, METRICS_PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  let buffered = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    raw.push(text);
    buffered += text;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) {
      if (!p.trim()) continue;
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        lines.push({ msg: p, unparsed: true });
      }
    }
    // Keep memory bounded through the churn test; the raw text is what the secret grep reads.
    if (lines.length > 20_000) lines.splice(0, lines.length - 20_000);
  });
  child.stderr?.on('data', (chunk: Buffer) => raw.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    name,
    child,
    lines,
    raw,
    exited,
    async started(timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const line = lines.find((l) => l.msg === 'controller started');
        if (line) return Number(line.metricsPort);
        if (child.exitCode !== null) throw new Error(`controller ${name} exited ${child.exitCode}: ${raw.join('').slice(-2000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`controller ${name} did not start within ${timeoutMs} ms: ${raw.join('').slice(-2000)}`);
    },
    async kill9() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    rssMiB() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 'NaN') / 1024;
    },
  };
}
