import { describe, expect, it } from 'vitest';
import { applyBinding } from '../../../../controller/binding/apply.js';
import { buildAdapterDeployment } from '../../../../controller/reconciler/shared/adapter-deployment.js';
import { deploymentAvailability, deploymentUpToDate } from '../../../../controller/reconciler/shared/deployment.js';
import { childName } from '../../../../controller/reconciler/shared/naming.js';
import { containsDesired, jsonEqual } from '../../../../controller/reconciler/shared/semantic.js';
import type { KubeObject } from '../../../../controller/runtime/types.js';

const desired = buildAdapterDeployment({
  name: 'd',
  namespace: 'ns',
  role: 'kafka',
  image: 'img',
  ownerKind: 'KafkaSource',
  ownerName: 's',
  replicas: 1,
  env: [{ name: 'NAME', value: 's' }],
});

/** What the apiserver hands back: our object plus defaults and bookkeeping. */
function asDefaulted(d: KubeObject): KubeObject {
  const live = structuredClone(d) as KubeObject & { spec: Record<string, unknown> };
  live.metadata = { ...live.metadata, uid: 'u', resourceVersion: '7', generation: 3, annotations: { 'deployment.kubernetes.io/revision': '1' } };
  live.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
  live.spec.revisionHistoryLimit = 10;
  live.spec.progressDeadlineSeconds = 600;
  const pod = (live.spec.template as { spec: Record<string, unknown> }).spec;
  pod.restartPolicy = 'Always';
  pod.dnsPolicy = 'ClusterFirst';
  pod.terminationGracePeriodSeconds = 30;
  const c = (pod.containers as Record<string, unknown>[])[0] as Record<string, unknown>;
  c.imagePullPolicy = 'IfNotPresent';
  c.terminationMessagePath = '/dev/termination-log';
  (c.livenessProbe as Record<string, unknown>).timeoutSeconds = 1;
  ((c.livenessProbe as { httpGet: Record<string, unknown> }).httpGet).scheme = 'HTTP';
  const podIp = (c.env as { name: string; valueFrom?: { fieldRef: Record<string, unknown> } }[]).find((e) => e.name === 'POD_IP');
  if (podIp?.valueFrom) podIp.valueFrom.fieldRef.apiVersion = 'v1';
  live.status = { observedGeneration: 3 };
  return live;
}

describe('deploymentUpToDate', () => {
  it('ignores apiserver defaults and bookkeeping', () => {
    expect(deploymentUpToDate(desired, asDefaulted(desired))).toBe(true);
  });

  it('sees a changed, added or removed env var, a new image and a dropped binding marker', () => {
    const withSink = { ...desired, spec: { ...(desired.spec as object), template: applyBinding((desired.spec as { template: object }).template, { sinkUri: 'http://a' }, 'o') } };
    const live = asDefaulted(withSink);
    expect(deploymentUpToDate(withSink, live)).toBe(true);
    expect(deploymentUpToDate({ ...desired, spec: { ...(desired.spec as object), template: applyBinding((desired.spec as { template: object }).template, { sinkUri: 'http://b' }, 'o') } }, live)).toBe(false);
    expect(deploymentUpToDate(desired, live)).toBe(false); // K_SINK and the marker must go
    const otherImage = buildAdapterDeployment({ name: 'd', namespace: 'ns', role: 'kafka', image: 'img:2', ownerKind: 'KafkaSource', ownerName: 's', replicas: 1, env: [{ name: 'NAME', value: 's' }] });
    expect(deploymentUpToDate(otherImage, asDefaulted(desired))).toBe(false);
  });
});

describe('deploymentAvailability', () => {
  it('maps the Available condition, keeping the Deployment message', () => {
    expect(deploymentAvailability(undefined).status).toBe('Unknown');
    expect(deploymentAvailability({ ...desired, status: {} })).toMatchObject({ status: 'Unknown', reason: 'DeploymentUnavailable' });
    expect(deploymentAvailability({ ...desired, status: { conditions: [{ type: 'Available', status: 'True' }] } })).toEqual({ status: 'True' });
    expect(deploymentAvailability({ ...desired, status: { conditions: [{ type: 'Available', status: 'False', message: 'no pods' }] } })).toEqual({
      status: 'False',
      reason: 'DeploymentUnavailable',
      message: 'no pods',
    });
  });
});

describe('containsDesired / jsonEqual / childName', () => {
  it('compare the way the reconcilers need', () => {
    expect(containsDesired({ a: 1, b: [1, 2] }, { a: 1, b: [1, 2], c: 3 })).toBe(true);
    expect(containsDesired({ b: [1, 2] }, { b: [1, 2, 3] })).toBe(false);
    expect(containsDesired({ a: { x: 1 } }, { a: { x: 2 } })).toBe(false);
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual({ a: [1] }, { a: [2] })).toBe(false);
  });

  it('keeps child names within 63 characters and distinct', () => {
    expect(childName('kafkasource-s-', 'uid')).toBe('kafkasource-s-uid');
    const a = childName(`kafkasource-${'x'.repeat(60)}-`, '0000');
    const b = childName(`kafkasource-${'x'.repeat(60)}-`, '0001');
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
  });
});
