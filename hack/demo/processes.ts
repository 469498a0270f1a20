/**
 * Child processes the demo starts (the controller, the node runner), each in its own process group with
 * its output in a log file, and stopped the way Kubernetes stops a container: SIGTERM, then SIGKILL after
 * a grace period. The demo stops exactly what it started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Started {
  name: string;
  logFile: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  stop(graceMs?: number): Promise<void>;
}

export function startProcess(name: string, command: string, args: readonly string[], opts: { env: NodeJS.ProcessEnv; cwd: string; logFile: string }): Started {
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const log = createWriteStream(opts.logFile, { flags: 'a' });
  log.write(`\n==== ${name} start ${new Date().toISOString()}: ${command} ${args.join(' ')}\n`);
  // detached: its own process group, so a Ctrl-C in the terminal reaches only the demo, which then stops
  // its children in order (the runner last: it must finalize the Pods of the namespaces being deleted).
  const child = spawn(command, [...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.on('error', () => resolve('spawn-failed'));
  });
  void exited.then(() => log.end());
  const stop = async (graceMs = 20_000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }, graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { name, logFile: opts.logFile, child, exited, stop };
}
