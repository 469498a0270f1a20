import { describe, expect, it } from 'vitest';
import { buildPodStatus, type PodSnapshot, podPhase } from '../../../hack/runner/pod-status.js';

const t0 = '2026-01-01T00:00:00.000Z';
const t1 = '2026-01-01T00:01:00.000Z';
const crashed = { kind: 'terminated' as const, exitCode: 3, reason: 'Error', startedAt: t0, finishedAt: t1 };

function snap(containers: PodSnapshot['containers'], restartPolicy: PodSnapshot['restartPolicy'] = 'Always'): PodSnapshot {
  return { podIP: '127.42.0.9', hostIP: '127.0.0.1', startTime: t0, containers, restartPolicy };
}

describe('podPhase', () => {
  it('follows the kubelet rules', () => {
    const waiting = { name: 'a', image: 'i', state: { kind: 'waiting' as const, reason: 'ContainerCreating' }, restartCount: 0, ready: false };
    const running = { name: 'b', image: 'i', state: { kind: 'running' as const, startedAt: t0, containerID: 'process://1' }, restartCount: 0, ready: true };
    const backoff = { ...waiting, state: { kind: 'waiting' as const, reason: 'CrashLoopBackOff' }, lastTermination: crashed, restartCount: 2 };
    expect(podPhase(snap([waiting, running]))).toBe('Pending');
    expect(podPhase(snap([running, backoff]))).toBe('Running');
    expect(podPhase(snap([backoff]))).toBe('Running');
    const done = { ...waiting, state: { ...crashed, exitCode: 0, reason: 'Completed' } };
    expect(podPhase(snap([done], 'Never'))).toBe('Succeeded');
    expect(podPhase(snap([{ ...waiting, state: crashed }], 'Never'))).toBe('Failed');
  });
});

describe('buildPodStatus', () => {
  it('reports Ready with all conditions, restart counts and the last termination', () => {
    const s = buildPodStatus(
      snap([
        {
          name: 'a',
          image: 'headwater/headwater:dev',
          state: { kind: 'running', startedAt: t1, containerID: 'process://42' },
          lastTermination: crashed,
          restartCount: 1,
          ready: true,
        },
      ]),
      [{ type: 'Ready', status: 'False', lastTransitionTime: t0, lastProbeTime: null }],
      t1,
    );
    expect(s.phase).toBe('Running');
    expect(s.podIP).toBe('127.42.0.9');
    expect(s.conditions.map((c) => [c.type, c.status])).toEqual([
      ['PodScheduled', 'True'],
      ['Initialized', 'True'],
      ['ContainersReady', 'True'],
      ['Ready', 'True'],
    ]);
    expect(s.conditions.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe(t1);
    expect(s.containerStatuses[0]).toMatchObject({
      ready: true,
      started: true,
      restartCount: 1,
      containerID: 'process://42',
      state: { running: { startedAt: t1 } },
      lastState: { terminated: { exitCode: 3, reason: 'Error' } },
    });
  });

  it('keeps a transition time while the condition holds and names the unready containers', () => {
    const s = buildPodStatus(
      snap([{ name: 'a', image: 'x', state: { kind: 'waiting', reason: 'ImageNotRunnable', message: 'no' }, restartCount: 0, ready: false }]),
      [{ type: 'Ready', status: 'False', lastTransitionTime: t0, lastProbeTime: null }],
      t1,
    );
    const ready = s.conditions.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', lastTransitionTime: t0, reason: 'ContainersNotReady', message: 'containers with unready status: [a]' });
    expect(s.phase).toBe('Pending');
    expect(s.containerStatuses[0]?.state).toEqual({ waiting: { reason: 'ImageNotRunnable', message: 'no' } });
  });
});

describe('init containers', () => {
  const done = { name: 'i1', image: 'i', state: { kind: 'terminated' as const, exitCode: 0, reason: 'Completed', startedAt: t0, finishedAt: t1 }, restartCount: 0, ready: false };
  const failed = { name: 'i2', image: 'i', state: { ...crashed }, restartCount: 0, ready: false };
  const waiting = { name: 'app', image: 'i', state: { kind: 'waiting' as const, reason: 'PodInitializing' }, restartCount: 0, ready: false };

  it('keeps the Pod Pending and not Initialized until every init container completed', () => {
    const s = buildPodStatus({ ...snap([waiting]), initContainers: [done, { ...failed, state: { kind: 'running', startedAt: t1, containerID: 'process://2' } }] }, [], t1);
    expect(s.phase).toBe('Pending');
    expect(s.conditions.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [i2]' });
    expect(s.initContainerStatuses?.map((c) => c.name)).toEqual(['i1', 'i2']);
  });

  it('fails the Pod on a failed init container only when nothing restarts it', () => {
    expect(podPhase({ ...snap([waiting], 'Never'), initContainers: [done, failed] })).toBe('Failed');
    expect(podPhase({ ...snap([waiting], 'Always'), initContainers: [done, failed] })).toBe('Pending');
  });

  it('is Initialized once all completed', () => {
    const s = buildPodStatus({ ...snap([waiting]), initContainers: [done] }, [], t1);
    expect(s.conditions.find((c) => c.type === 'Initialized')?.status).toBe('True');
  });
});

