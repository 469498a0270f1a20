import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { type ConfigSource, expandReferences, resolveContainerEnv } from '../../../hack/runner/env-resolver.js';
import { ContainerConfigError } from '../../../hack/runner/errors.js';

// A pure unit test: an in-memory stand-in for the apiserver's Secrets and ConfigMaps.
const source: ConfigSource = {
  secret: async (ns, name) => (ns === 'ns1' && name === 's' ? { password: 'hunter2', user: 'u' } : undefined),
  configMap: async (ns, name) => (ns === 'ns1' && name === 'cm' ? { LEVEL: 'debug', url: 'http://x' } : undefined),
};

const pod: V1Pod = {
  metadata: { name: 'p1', namespace: 'ns1', uid: 'u-1', labels: { app: 'demo' } },
  spec: { nodeName: 'n1', containers: [] },
  status: { podIP: '127.42.0.7' },
};

describe('resolveContainerEnv', () => {
  it('resolves fieldRefs, secret and configmap refs, envFrom with prefix, and $(VAR) expansion', async () => {
    const env = await resolveContainerEnv(
      pod,
      {
        name: 'c',
        envFrom: [{ configMapRef: { name: 'cm' } }, { secretRef: { name: 's' }, prefix: 'S_' }],
        env: [
          { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'PW', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } },
          { name: 'U', valueFrom: { configMapKeyRef: { name: 'cm', key: 'url' } } },
          { name: 'OPT', valueFrom: { secretKeyRef: { name: 'missing', key: 'k', optional: true } } },
          { name: 'SELF', value: 'http://$(IP):8080/$(NOPE)/$$(IP)' },
          { name: 'LEVEL', value: 'info' },
        ],
      },
      source,
    );
    expect(env).toEqual({
      LEVEL: 'info',
      url: 'http://x',
      S_password: 'hunter2',
      S_user: 'u',
      NAME: 'p1',
      NS: 'ns1',
      IP: '127.42.0.7',
      NODE: 'n1',
      APP: 'demo',
      PW: 'hunter2',
      U: 'http://x',
      SELF: 'http://127.42.0.7:8080/$(NOPE)/$(IP)',
    });
  });

  it('fails with a typed error naming the missing Secret, and the missing key', async () => {
    const missing = resolveContainerEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'gone', key: 'k' } } }] }, source);
    await expect(missing).rejects.toBeInstanceOf(ContainerConfigError);
    await expect(missing).rejects.toThrow('Secret "gone" not found');
    const key = resolveContainerEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'nokey' } } }] }, source);
    await expect(key).rejects.toThrow('key "nokey" not found in ConfigMap "cm"');
    const from = resolveContainerEnv(pod, { name: 'c', envFrom: [{ secretRef: { name: 'gone' } }] }, source);
    await expect(from).rejects.toThrow('envFrom: Secret "gone" not found');
  });

  it('expandReferences leaves undefined references as written', () => {
    expect(expandReferences('$(A)-$(B)-$$', { A: '1' })).toBe('1-$(B)-$');
  });
});
