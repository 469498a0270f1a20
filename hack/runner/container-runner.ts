/**
 * One container of a Pod as a local process: starts it, probes it, restarts it with the kubelet's
 * back-off when it exits (CrashLoopBackOff), and stops it with SIGTERM then SIGKILL after the grace
 * period. Each process leads its own process group so a stop reaches whatever it spawned.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { V1ContainerPort, V1Probe } from '@kubernetes/client-node';
import { backoffDelay } from '../../lib/backoff.js';
import type { Logger } from '../../lib/log.js';
import { ContainerConfigError } from './errors.js';
import type { ContainerSnapshot, ContainerState, TerminatedState } from './pod-status.js';
import { forgetProcess, recordProcess } from './orphans.js';
import { runProbe } from './probe.js';

export interface SpawnSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** stdout and stderr are appended here (the runner's stand-in for /var/log/pods). */
  logFile: string;
  /** Where the runner records running processes, so a successor can reap them (orphans.ts). */
  recordDir: string;
}

export interface CrashBackoff {
  baseMs: number;
  maxMs: number;
  /** A container that ran this long without exiting starts its back-off afresh (kubelet: 10 minutes). */
  resetAfterMs: number;
}

export interface ContainerRunnerOptions {
  name: string;
  image: string;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
  podIP: string;
  ports?: V1ContainerPort[];
  /** Holds readiness and liveness back until it succeeds; failing it restarts the container. */
  startupProbe?: V1Probe;
  readinessProbe?: V1Probe;
  livenessProbe?: V1Probe;
  backoff: CrashBackoff;
  /** Restart count already reported for this container (kept monotonic across runner restarts). */
  initialRestartCount: number;
  /** Builds the process to start; throws ContainerConfigError when its configuration cannot be resolved yet. */
  prepare(): Promise<SpawnSpec>;
  onChange(): void;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  log: Logger;
}

const now = (): string => new Date().toISOString();

class ProbeLoop {
  private timer: NodeJS.Timeout | undefined;
  private successes = 0;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly probe: V1Probe,
    private readonly podIP: string,
    private readonly ports: V1ContainerPort[] | undefined,
    private readonly onResult: (healthy: boolean, message: string | undefined, flipped: boolean) => void,
  ) {
    this.timer = setTimeout(() => void this.tick(), (probe.initialDelaySeconds ?? 0) * 1000);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const result = await runProbe(this.probe, this.podIP, this.ports);
    if (this.stopped) return;
    if (result.ok) {
      this.failures = 0;
      this.successes++;
      this.onResult(true, undefined, this.successes === (this.probe.successThreshold ?? 1));
    } else {
      this.successes = 0;
      this.failures++;
      this.onResult(false, result.message, this.failures === (this.probe.failureThreshold ?? 3));
    }
    this.timer = setTimeout(() => void this.tick(), (this.probe.periodSeconds ?? 10) * 1000);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

export class ContainerRunner {
  private state: ContainerState = { kind: 'waiting', reason: 'ContainerCreating' };
  private lastTermination: TerminatedState | undefined;
  private restartCount: number;
  private ready = false;
  private child: ChildProcess | undefined;
  private startedAt = '';
  private startedMs = 0;
  private everStarted = false;
  private crashes = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private probes: ProbeLoop[] = [];
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly o: ContainerRunnerOptions) {
    this.restartCount = o.initialRestartCount;
  }

  snapshot(): ContainerSnapshot {
    return {
      name: this.o.name,
      image: this.o.image,
      state: this.state,
      ...(this.lastTermination ? { lastTermination: this.lastTermination } : {}),
      restartCount: this.restartCount,
      ready: this.ready,
    };
  }

  start(): void {
    this.launchSafely();
  }

  /** launch() runs unawaited (timers, start): a failure to spawn must become a waiting reason, not an unhandled rejection. */
  private launchSafely(): void {
    this.launch().catch((err: unknown) => {
      this.o.log.error('container could not be started', { container: this.o.name, err });
      this.setState({ kind: 'waiting', reason: 'RunContainerError', message: (err as Error).message }, false);
      if (!this.stopping) this.retryTimer = setTimeout(() => this.launchSafely(), this.o.backoff.baseMs);
    });
  }

  private setState(state: ContainerState, ready = this.ready): void {
    this.state = state;
    this.ready = ready;
    this.o.onChange();
  }

  private async launch(): Promise<void> {
    if (this.stopping) return;
    let spec: SpawnSpec;
    try {
      spec = await this.o.prepare();
    } catch (err) {
      // The kubelet keeps retrying while a Secret or ConfigMap is missing, or cannot be read because the
      // apiserver is down (a restart); so do we. Rethrowing here would crash the runner (launch() runs unawaited).
      const message = err instanceof ContainerConfigError ? err.message : `cannot resolve the container's environment: ${(err as Error).message}`;
      this.setState({ kind: 'waiting', reason: 'CreateContainerConfigError', message }, false);
      this.o.event('Warning', 'Failed', `Error: ${message}`);
      this.retryTimer = setTimeout(() => this.launchSafely(), this.o.backoff.baseMs);
      return;
    }
    if (this.stopping) return;
    mkdirSync(dirname(spec.logFile), { recursive: true });
    const out = createWriteStream(spec.logFile, { flags: 'a' });
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    this.child = child;
    const pid = child.pid;
    if (pid !== undefined) recordProcess(spec.recordDir, pid, [spec.command, ...spec.args]);
    if (this.everStarted) this.restartCount++;
    this.everStarted = true;
    this.startedAt = now();
    this.startedMs = Date.now();
    const startedAt = this.startedAt;
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        out.end();
        if (pid !== undefined) forgetProcess(spec.recordDir, pid);
        this.onExit(child, startedAt, code, signal);
        resolve();
      });
    });
    child.once('error', (err) => this.o.log.error('container process error', { container: this.o.name, err }));
    const containerID = `process://${child.pid ?? 0}`;
    this.o.log.info('container started', { container: this.o.name, pid: child.pid, command: [spec.command, ...spec.args] });
    this.o.event('Normal', 'Started', `Started container ${this.o.name}`);
    this.setState({ kind: 'running', startedAt, containerID }, !this.o.readinessProbe && !this.o.startupProbe);
    this.startProbes(child);
  }

  private startProbes(child: ChildProcess): void {
    const startup = this.o.startupProbe;
    if (!startup) {
      this.startRuntimeProbes(child);
      return;
    }
    const loop = new ProbeLoop(startup, this.o.podIP, this.o.ports, (healthy, message, flipped) => {
      if (this.child !== child || !flipped) return;
      loop.stop();
      if (healthy) {
        if (!this.o.readinessProbe) this.setState(this.state, true);
        this.startRuntimeProbes(child);
        return;
      }
      this.o.event('Warning', 'Unhealthy', `Startup probe failed: ${message ?? ''}`);
      this.o.event('Normal', 'Killing', `Container ${this.o.name} failed startup probe, will be restarted`);
      void this.kill(child, (startup.terminationGracePeriodSeconds ?? 30) * 1000);
    });
    this.probes.push(loop);
  }

  private startRuntimeProbes(child: ChildProcess): void {
    const { readinessProbe, livenessProbe } = this.o;
    if (readinessProbe) {
      this.probes.push(
        new ProbeLoop(readinessProbe, this.o.podIP, this.o.ports, (healthy, message, flipped) => {
          if (healthy && flipped && !this.ready && this.child === child) this.setState(this.state, true);
          if (!healthy && flipped) {
            this.o.event('Warning', 'Unhealthy', `Readiness probe failed: ${message ?? ''}`);
            if (this.ready && this.child === child) this.setState(this.state, false);
          }
        }),
      );
    }
    if (livenessProbe) {
      this.probes.push(
        new ProbeLoop(livenessProbe, this.o.podIP, this.o.ports, (healthy, message, flipped) => {
          if (healthy || !flipped || this.child !== child) return;
          this.o.event('Warning', 'Unhealthy', `Liveness probe failed: ${message ?? ''}`);
          this.o.event('Normal', 'Killing', `Container ${this.o.name} failed liveness probe, will be restarted`);
          void this.kill(child, (livenessProbe.terminationGracePeriodSeconds ?? 30) * 1000);
        }),
      );
    }
  }

  private stopProbes(): void {
    for (const p of this.probes) p.stop();
    this.probes = [];
  }

  private onExit(child: ChildProcess, startedAt: string, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.stopProbes();
    const exitCode = code ?? 128 + (signal === 'SIGKILL' ? 9 : signal === 'SIGTERM' ? 15 : 1);
    const terminated: TerminatedState = {
      kind: 'terminated',
      exitCode,
      ...(signal ? { signal } : {}),
      reason: exitCode === 0 ? 'Completed' : 'Error',
      startedAt,
      finishedAt: now(),
      containerID: `process://${child.pid ?? 0}`,
    };
    this.o.log.info('container exited', { container: this.o.name, exitCode, signal });
    const restart = !this.stopping && (this.o.restartPolicy === 'Always' || (this.o.restartPolicy === 'OnFailure' && exitCode !== 0));
    if (!restart) {
      this.setState(terminated, false);
      return;
    }
    if (Date.now() - this.startedMs >= this.o.backoff.resetAfterMs) this.crashes = 0;
    this.crashes++;
    const delay = backoffDelay(this.crashes, { policy: 'exponential', baseMs: this.o.backoff.baseMs, maxMs: this.o.backoff.maxMs });
    this.lastTermination = terminated;
    const message = `back-off ${Math.round(delay / 1000)}s restarting failed container=${this.o.name}`;
    this.o.event('Warning', 'BackOff', `Back-off restarting failed container ${this.o.name}`);
    this.setState({ kind: 'waiting', reason: 'CrashLoopBackOff', message }, false);
    this.retryTimer = setTimeout(() => this.launchSafely(), delay);
  }

  private async kill(child: ChildProcess, graceMs: number): Promise<void> {
    const pid = child.pid;
    if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const signalGroup = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-pid, sig);
      } catch {
        // Already gone: nothing to signal.
      }
    };
    signalGroup('SIGTERM');
    const exited = this.exited;
    const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Stops for good (the Pod is going away): SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    this.stopProbes();
    const child = this.child;
    if (child) {
      this.o.event('Normal', 'Killing', `Stopping container ${this.o.name}`);
      await this.kill(child, graceMs);
    }
  }
}
