/**
 * The Pod status the runner reports, computed from what it knows of its processes, with the kubelet's
 * rules for phase and conditions. Pure: times come in as values, the output is the JSON sent to the
 * `pods/status` subresource.
 */
export interface TerminatedState {
  kind: 'terminated';
  exitCode: number;
  signal?: string;
  reason: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID?: string;
}

export type ContainerState =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: string; containerID: string }
  | TerminatedState;

export interface ContainerSnapshot {
  name: string;
  image: string;
  state: ContainerState;
  lastTermination?: TerminatedState;
  restartCount: number;
  ready: boolean;
}

export interface PodSnapshot {
  podIP?: string;
  hostIP: string;
  startTime: string;
  /** Init containers, in order; each must complete (exit 0) before the next and the app containers start. */
  initContainers?: ContainerSnapshot[];
  containers: ContainerSnapshot[];
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
}

/** Init containers that have not completed successfully yet. Pure. */
export function incompleteInit(snapshot: PodSnapshot): string[] {
  return (snapshot.initContainers ?? []).filter((c) => !(c.state.kind === 'terminated' && c.state.exitCode === 0)).map((c) => c.name);
}

export interface ConditionJson {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime: string;
  lastProbeTime: null;
  reason?: string;
  message?: string;
}

type StateJson =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | { terminated: { exitCode: number; signal?: number; reason: string; message?: string; startedAt: string; finishedAt: string; containerID?: string } };

export interface ContainerStatusJson {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: StateJson;
  lastState: StateJson | Record<string, never>;
}

export interface PodStatusJson {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  conditions: ConditionJson[];
  hostIP: string;
  hostIPs: { ip: string }[];
  podIP?: string;
  podIPs?: { ip: string }[];
  startTime: string;
  initContainerStatuses?: ContainerStatusJson[];
  containerStatuses: ContainerStatusJson[];
}

const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15, SIGABRT: 6 };

function stateJson(state: ContainerState): StateJson {
  switch (state.kind) {
    case 'waiting':
      return { waiting: { reason: state.reason, ...(state.message ? { message: state.message } : {}) } };
    case 'running':
      return { running: { startedAt: state.startedAt } };
    case 'terminated': {
      const signal = state.signal ? signalNumbers[state.signal] : undefined;
      return {
        terminated: {
          exitCode: state.exitCode,
          ...(signal !== undefined ? { signal } : {}),
          reason: state.reason,
          ...(state.message ? { message: state.message } : {}),
          startedAt: state.startedAt,
          finishedAt: state.finishedAt,
          ...(state.containerID ? { containerID: state.containerID } : {}),
        },
      };
    }
  }
}

/** The kubelet's phase rules (pkg/kubelet/kubelet_pods.go getPhase). */
export function podPhase(snapshot: PodSnapshot): PodStatusJson['phase'] {
  if (incompleteInit(snapshot).length > 0) {
    // A failed init container fails the Pod only when nothing will restart it.
    const failedInit = (snapshot.initContainers ?? []).some((c) => c.state.kind === 'terminated' && c.state.exitCode !== 0);
    return failedInit && snapshot.restartPolicy === 'Never' ? 'Failed' : 'Pending';
  }
  let pending = 0;
  let running = 0;
  let stopped = 0;
  let failed = 0;
  let succeeded = 0;
  for (const c of snapshot.containers) {
    if (c.state.kind === 'running') running++;
    else if (c.state.kind === 'terminated') {
      stopped++;
      if (c.state.exitCode === 0) succeeded++;
      else failed++;
    } else if (c.lastTermination) stopped++;
    else pending++;
  }
  if (pending > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === 0) return 'Pending';
  if (snapshot.restartPolicy === 'Always') return 'Running';
  if (snapshot.restartPolicy === 'OnFailure') return failed > 0 || stopped > succeeded ? 'Running' : 'Succeeded';
  return failed > 0 ? 'Failed' : 'Succeeded';
}

function condition(type: string, ok: boolean, now: string, previous: readonly ConditionJson[], reason?: string, message?: string): ConditionJson {
  const status = ok ? 'True' : 'False';
  const before = previous.find((c) => c.type === type);
  return {
    type,
    status,
    lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now,
    lastProbeTime: null,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

export function buildPodStatus(snapshot: PodSnapshot, previous: readonly ConditionJson[], now: string): PodStatusJson {
  const notReady = snapshot.containers.filter((c) => !c.ready).map((c) => c.name);
  const allReady = notReady.length === 0;
  const why = allReady ? undefined : `containers with unready status: [${notReady.join(' ')}]`;
  const incomplete = incompleteInit(snapshot);
  const initialized = incomplete.length === 0;
  const conditions = [
    condition('PodScheduled', true, now, previous),
    condition(
      'Initialized',
      initialized,
      now,
      previous,
      initialized ? undefined : 'ContainersNotInitialized',
      initialized ? undefined : `containers with incomplete status: [${incomplete.join(' ')}]`,
    ),
    condition('ContainersReady', allReady, now, previous, allReady ? undefined : 'ContainersNotReady', why),
    condition('Ready', allReady, now, previous, allReady ? undefined : 'ContainersNotReady', why),
  ];
  const toJson = (c: ContainerSnapshot): ContainerStatusJson => ({
    name: c.name,
    image: c.image,
    imageID: `headwater-runner://${c.image}`,
    ...(c.state.kind === 'running' ? { containerID: c.state.containerID } : {}),
    ready: c.ready,
    started: c.state.kind === 'running',
    restartCount: c.restartCount,
    state: stateJson(c.state),
    lastState: c.lastTermination ? stateJson(c.lastTermination) : {},
  });
  return {
    phase: podPhase(snapshot),
    conditions,
    hostIP: snapshot.hostIP,
    hostIPs: [{ ip: snapshot.hostIP }],
    ...(snapshot.podIP ? { podIP: snapshot.podIP, podIPs: [{ ip: snapshot.podIP }] } : {}),
    startTime: snapshot.startTime,
    ...(snapshot.initContainers && snapshot.initContainers.length > 0 ? { initContainerStatuses: snapshot.initContainers.map(toJson) } : {}),
    containerStatuses: snapshot.containers.map(toJson),
  };
}
