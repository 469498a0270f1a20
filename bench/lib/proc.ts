/**
 * Child processes the way they run for real (`node <dist>/adapter/main.js <role>` with the env contract), and
 * what /proc says about them: resident memory and CPU time, read from outside so the probe costs the child nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Last lines of stderr/stdout, shown when the child fails. */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it exited. */
  stop(graceMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

export function spawnNode(script: string, args: string[], env: Record<string, string>, opts: { nodeArgs?: string[] } = {}): Child {
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), script, ...args], {
    // Only what the contract says plus PATH/HOME: the bench's own environment must not leak into a figure.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`cannot spawn ${script}`);
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    pid: proc.pid,
    tail: () => lines.join('\n'),
    exited,
    async stop(graceMs = 5000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** BENCH_ADAPTER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") is passed to adapter children: for profiling. */
export function spawnAdapter(distDir: string, role: string, env: Record<string, string>, args: string[] = []): Child {
  const nodeArgs = (process.env.BENCH_ADAPTER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawnNode(join(distDir, 'adapter', 'main.js'), [role, ...args], env, { nodeArgs });
}

/** Resident set size now and at its peak (VmHWM), in MiB. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 'NaN');
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

const clockTicks = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU time in 1/100 s.

/** CPU seconds (user + system) the process used so far. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/**
 * CPU seconds the whole machine spent busy so far (every process, every core: /proc/stat minus idle and
 * iowait). The delivery benchmarks share two cores with the sink and the broker, so this says where a rate
 * short of the ceiling went.
 */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return (total - idle) / clockTicks;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `url` until it answers 200; rejects after `timeoutMs` with the child's last output. */
export async function waitForOk(url: string, timeoutMs: number, child?: Child, everyMs = 10): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (child && child.proc.exitCode !== null) throw new Error(`child exited (${child.proc.exitCode}) before ${url} was ready:\n${child.tail()}`);
    // A child whose event loop is stuck accepts the connection and never answers: bound every probe.
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
    if (res) {
      await res.arrayBuffer().catch(() => undefined);
      if (res.status === 200) return performance.now() - started;
    }
    await sleep(everyMs);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms${child ? `:\n${child.tail()}` : ''}`);
}

/** A free loopback port, for a child that must be told its PORT in advance (one place: lib/net). */
export { freePort } from '../../lib/net/free-port.js';

/** Runs a compiled bench worker to completion and parses the one JSON line it prints. */
export async function runJsonWorker<T>(distDir: string, worker: string, args: string[], timeoutMs: number): Promise<T> {
  const child = spawnNode(join(distDir, 'bench', 'workers', `${worker}.js`), args, {});
  let out = '';
  child.proc.stdout?.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`worker ${worker} failed (${code}):\n${child.tail()}`);
  const line = out.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as T;
}
