import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { isUnscheduled, type NodeIdentity, unschedulableReason } from '../../../hack/runner/scheduling.js';

const node: NodeIdentity = {
  name: 'n1',
  labels: { 'kubernetes.io/hostname': 'n1', zone: 'a' },
  taints: [{ key: 'headwater.dev/test', value: 'x', effect: 'NoSchedule' }],
};
const pod = (spec: Partial<NonNullable<V1Pod['spec']>>): V1Pod => ({ metadata: { name: 'p' }, spec: { containers: [], ...spec } });
const tolerating = [{ key: 'headwater.dev/test', operator: 'Equal', value: 'x', effect: 'NoSchedule' }];

describe('scheduling', () => {
  it('refuses a pod that does not tolerate the node taint', () => {
    expect(unschedulableReason(pod({}), node)).toMatch(/untolerated taint headwater.dev\/test=x:NoSchedule/);
    expect(unschedulableReason(pod({ tolerations: tolerating }), node)).toBeUndefined();
    expect(unschedulableReason(pod({ tolerations: [{ operator: 'Exists' }] }), node)).toBeUndefined();
  });

  it('honours nodeSelector and required node affinity', () => {
    expect(unschedulableReason(pod({ tolerations: tolerating, nodeSelector: { zone: 'b' } }), node)).toMatch(/zone=b/);
    const affinity = (op: string, values: string[]) => ({
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: op, values }] }] } },
    });
    expect(unschedulableReason(pod({ tolerations: tolerating, affinity: affinity('In', ['a']) }), node)).toBeUndefined();
    expect(unschedulableReason(pod({ tolerations: tolerating, affinity: affinity('NotIn', ['a']) }), node)).toMatch(/affinity/);
  });

  it('knows which pods wait for a node', () => {
    expect(isUnscheduled(pod({}))).toBe(true);
    expect(isUnscheduled(pod({ nodeName: 'other' }))).toBe(false);
    expect(isUnscheduled({ ...pod({}), metadata: { name: 'p', deletionTimestamp: new Date() } })).toBe(false);
  });
});
