/**
 * Everything the runner does for one Pod bound to its node: give it an address, start a process per
 * container (when the image is one of ours), and report the Pod's status whenever a container changes.
 */
import { isAbsolute, join } from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../lib/log.js';
import { ContainerRunner, type CrashBackoff, type SpawnSpec } from './container-runner.js';
import { expandReferences, resolveContainerEnv } from './env-resolver.js';
import { decideLaunch, type ImageEntry, type Launch } from './image-table.js';
import { isStatus, type KubeEdge } from './kube.js';
import { buildPodStatus, type ConditionJson, type ContainerSnapshot, type PodStatusJson } from './pod-status.js';

export interface PodWorkerDeps {
  kube: KubeEdge;
  images: readonly ImageEntry[];
  /** The checkout (the image's WORKDIR): entry files are relative to it. */
  repoRoot: string;
  /** Run `dist/x.js` entries from their TypeScript source `x.ts` through tsx (no build needed). */
  fromSource: boolean;
  hostIP: string;
  logDir: string;
  /** Records of running processes (see orphans.ts). */
  recordDir: string;
  backoff: CrashBackoff;
  /** Environment every process gets before the Pod's own (PATH, HOME, KUBECONFIG). */
  baseEnv: Record<string, string>;
  log: Logger;
}

type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

interface InitEntry {
  container: V1Container;
  runner?: ContainerRunner;
  blocked?: { reason: string; message: string };
  started?: boolean;
}

/** The node command line for an entry file of the checkout. Pure. */
export function processCommand(launch: Launch, repoRoot: string, fromSource: boolean): { command: string; args: string[] } {
  let file = launch.file;
  if (fromSource && file.startsWith('dist/') && file.endsWith('.js')) file = `${file.slice('dist/'.length, -'.js'.length)}.ts`;
  const path = isAbsolute(file) ? file : join(repoRoot, file);
  const loader = file.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return { command: process.execPath, args: [...loader, path, ...launch.args] };
}

function restartPolicyOf(pod: V1Pod): RestartPolicy {
  const p = pod.spec?.restartPolicy;
  return p === 'OnFailure' || p === 'Never' ? p : 'Always';
}

function toIso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value ?? '');
}

export class PodWorker {
  private pod: V1Pod;
  private readonly runners = new Map<string, ContainerRunner>();
  private readonly inits: InitEntry[] = [];
  private nextInit = 0;
  private appsStarted = false;
  /** Set before the containers are stopped, so no init step starts the next one meanwhile. */
  private terminating = false;
  /** Containers that cannot run here, with the waiting reason shown in their status. */
  private readonly blocked = new Map<string, { reason: string; message: string }>();
  private readonly startTime = new Date().toISOString();
  private lastSent: PodStatusJson | undefined;
  private reporting: Promise<void> = Promise.resolve();
  private reportQueued = false;
  private stopped = false;
  readonly log: Logger;

  constructor(
    pod: V1Pod,
    readonly podIP: string | undefined,
    private readonly deps: PodWorkerDeps,
  ) {
    this.pod = pod;
    this.log = deps.log.child({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}` });
  }

  get uid(): string {
    return this.pod.metadata?.uid ?? '';
  }

  update(pod: V1Pod): void {
    this.pod = pod;
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.deps.kube.event(this.pod, type, reason, message).catch((err: unknown) => {
      // 403 while the namespace terminates, 404 once it is gone: nobody is left to read the event.
      const expected = isStatus(err, 403) || isStatus(err, 404);
      this.log[expected ? 'debug' : 'warn']('event not recorded', { reason, code: (err as { code?: unknown }).code, ...(expected ? {} : { err }) });
    });
  }

  /** Starts the init containers one after the other, then the app containers. */
  start(): void {
    const spec = this.pod.spec;
    const initPolicy: RestartPolicy = restartPolicyOf(this.pod) === 'Never' ? 'Never' : 'OnFailure';
    for (const container of spec?.initContainers ?? []) {
      const entry: InitEntry = { container };
      if (container.restartPolicy === 'Always') {
        entry.blocked = { reason: 'SidecarContainersNotSupported', message: 'init containers with restartPolicy Always (sidecars) are not supported by the local node runner' };
      } else {
        const decision = decideLaunch(this.deps.images, container);
        if (decision.ok) entry.runner = this.makeRunner(container, decision.launch, initPolicy, 'init');
        else entry.blocked = { reason: decision.reason, message: decision.message };
      }
      if (entry.blocked) this.event('Warning', entry.blocked.reason, `init container ${container.name}: ${entry.blocked.message}`);
      this.inits.push(entry);
    }
    for (const container of spec?.containers ?? []) {
      const decision = decideLaunch(this.deps.images, container);
      if (!decision.ok) {
        this.blocked.set(container.name, { reason: decision.reason, message: decision.message });
        this.event('Warning', decision.reason, `container ${container.name}: ${decision.message}`);
        continue;
      }
      this.runners.set(container.name, this.makeRunner(container, decision.launch, restartPolicyOf(this.pod), 'app'));
    }
    this.report();
    this.advance();
  }

  /** Moves the Pod along: the next init container once the previous completed, the app containers after the last. */
  private advance(): void {
    if (this.appsStarted || this.terminating) return;
    while (this.nextInit < this.inits.length) {
      const entry = this.inits[this.nextInit] as InitEntry;
      if (!entry.runner) return;
      if (!entry.started) {
        entry.started = true;
        entry.runner.start();
        return;
      }
      const state = entry.runner.snapshot().state;
      if (state.kind !== 'terminated' || state.exitCode !== 0) return;
      this.nextInit++;
    }
    this.appsStarted = true;
    for (const r of this.runners.values()) r.start();
  }

  private makeRunner(container: V1Container, launch: Launch, restartPolicy: RestartPolicy, kind: 'init' | 'app'): ContainerRunner {
    const statuses = kind === 'init' ? this.pod.status?.initContainerStatuses : this.pod.status?.containerStatuses;
    const previous = statuses?.find((s) => s.name === container.name);
    const probeIP = this.podIP ?? '127.0.0.1';
    return new ContainerRunner({
      name: container.name,
      image: container.image ?? '',
      restartPolicy,
      podIP: probeIP,
      ...(container.ports ? { ports: container.ports } : {}),
      ...(kind === 'app' && container.startupProbe ? { startupProbe: container.startupProbe } : {}),
      ...(kind === 'app' && container.readinessProbe ? { readinessProbe: container.readinessProbe } : {}),
      ...(kind === 'app' && container.livenessProbe ? { livenessProbe: container.livenessProbe } : {}),
      backoff: this.deps.backoff,
      initialRestartCount: previous?.restartCount ?? 0,
      prepare: () => this.spawnSpec(container, launch),
      onChange: () => {
        this.report();
        if (kind === 'init') this.advance();
      },
      event: (type, reason, message) => this.event(type, reason, message),
      log: this.log,
    });
  }

  private async spawnSpec(container: V1Container, launch: Launch): Promise<SpawnSpec> {
    // Downward API values must see the address this worker gave the Pod even before the status patch lands.
    const pod: V1Pod = {
      ...this.pod,
      status: { ...this.pod.status, ...(this.podIP ? { podIP: this.podIP, podIPs: [{ ip: this.podIP }] } : {}), hostIP: this.deps.hostIP },
    };
    const own = await resolveContainerEnv(pod, container, this.deps.kube);
    const env: Record<string, string> = { ...this.deps.baseEnv, HOSTNAME: pod.metadata?.name ?? '', ...(this.podIP ? { POD_IP: this.podIP } : {}), ...own };
    const args = launch.args.map((a) => expandReferences(a, own));
    const { command, args: argv } = processCommand({ file: launch.file, args }, this.deps.repoRoot, this.deps.fromSource);
    const ns = pod.metadata?.namespace ?? 'default';
    return {
      command,
      args: argv,
      env,
      cwd: this.deps.repoRoot,
      logFile: join(this.deps.logDir, `${ns}_${pod.metadata?.name}_${this.uid}`, `${container.name}.log`),
      recordDir: this.deps.recordDir,
    };
  }

  private initSnapshot(): ContainerSnapshot[] {
    return this.inits.map((e) => {
      if (e.runner) return e.runner.snapshot();
      const blocked = e.blocked ?? { reason: 'ContainerCreating', message: '' };
      return { name: e.container.name, image: e.container.image ?? '', state: { kind: 'waiting', ...blocked }, restartCount: 0, ready: false };
    });
  }

  snapshot(): ContainerSnapshot[] {
    return (this.pod.spec?.containers ?? []).map((c) => {
      const runner = this.runners.get(c.name);
      if (runner && this.appsStarted) return runner.snapshot();
      const blocked = this.blocked.get(c.name) ?? { reason: this.inits.length > 0 ? 'PodInitializing' : 'ContainerCreating', message: '' };
      return { name: c.name, image: c.image ?? '', state: { kind: 'waiting', ...blocked }, restartCount: 0, ready: false };
    });
  }

  status(): PodStatusJson {
    const previous: ConditionJson[] =
      this.lastSent?.conditions ??
      (this.pod.status?.conditions ?? []).map((c) => ({
        type: c.type,
        status: c.status === 'True' ? 'True' : 'False',
        lastTransitionTime: toIso(c.lastTransitionTime),
        lastProbeTime: null,
      }));
    return buildPodStatus(
      {
        ...(this.podIP ? { podIP: this.podIP } : {}),
        hostIP: this.deps.hostIP,
        startTime: this.pod.status?.startTime ? toIso(this.pod.status.startTime) : this.startTime,
        initContainers: this.initSnapshot(),
        containers: this.snapshot(),
        restartPolicy: restartPolicyOf(this.pod),
      },
      previous,
      new Date().toISOString(),
    );
  }

  /** Coalesces bursts of changes into one status patch at a time; the newest state always wins. */
  private report(): void {
    if (this.stopped || this.reportQueued) return;
    this.reportQueued = true;
    this.reporting = this.reporting.then(async () => {
      this.reportQueued = false;
      if (this.stopped) return;
      const status = this.status();
      if (JSON.stringify(status) === JSON.stringify(this.lastSent)) return;
      try {
        await this.deps.kube.patchPodStatus(this.pod.metadata?.namespace ?? 'default', this.pod.metadata?.name ?? '', status);
        this.lastSent = status;
      } catch (err) {
        // A pod deleted meanwhile has no status to report; its worker is about to be stopped by the pod watch.
        if (isStatus(err, 404)) {
          this.log.debug('pod status not reported: the pod is gone');
          return;
        }
        this.log.warn('pod status not reported', { err });
        // Try again on the next change or resync.
        this.lastSent = undefined;
      }
    });
  }

  /** Re-posts the status if the apiserver's copy drifted (e.g. someone cleared it). */
  resync(): void {
    this.lastSent = undefined;
    this.report();
  }

  /** Stops every container: SIGTERM, then SIGKILL after the grace period. */
  async terminate(graceMs: number): Promise<void> {
    this.terminating = true;
    const all = [...this.inits.flatMap((e) => (e.runner ? [e.runner] : [])), ...this.runners.values()];
    await Promise.all(all.map((r) => r.stop(graceMs)));
    this.stopped = true;
    await this.reporting;
  }
}
