import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { BINDING_MARKER_ANNOTATION, applyBinding, boundBy, undoBinding } from '../../../../controller/binding/apply.js';
import { bindingEnvVars } from '../../../../controller/binding/env.js';
import { BindingConflictError } from '../../../../controller/binding/errors.js';
import { getPodTemplate, withPodTemplate } from '../../../../controller/binding/podspecable.js';

const plain: V1PodTemplateSpec = {
  metadata: { labels: { app: 'x' } },
  spec: {
    initContainers: [{ name: 'init', image: 'busybox' }],
    containers: [
      { name: 'main', image: 'app', env: [{ name: 'A', value: '1' }] },
      { name: 'side', image: 'side', env: [{ name: 'K_SINK', value: 'http://user-set' }, { name: 'B', value: '2' }] },
    ],
  },
};

describe('bindingEnvVars', () => {
  it('orders the variables and sorts extension keys', () => {
    expect(bindingEnvVars({ sinkUri: 'http://s', ceOverrides: { extensions: { z: '1', a: '2' } }, caCerts: 'PEM' })).toEqual([
      { name: 'K_SINK', value: 'http://s' },
      { name: 'K_CE_OVERRIDES', value: '{"extensions":{"a":"2","z":"1"}}' },
      { name: 'K_CA_CERTS', value: 'PEM' },
    ]);
    expect(bindingEnvVars({ sinkUri: 'http://s' })).toEqual([{ name: 'K_SINK', value: 'http://s' }]);
  });
});

describe('applyBinding / undoBinding', () => {
  it('injects into every container and init container', () => {
    const bound = applyBinding(plain, { sinkUri: 'http://sink', ceOverrides: { extensions: { a: 'b' } } }, 'SinkBinding ns/b');
    for (const c of [...(bound.spec?.initContainers ?? []), ...(bound.spec?.containers ?? [])]) {
      expect(c.env?.find((e) => e.name === 'K_SINK')?.value).toBe('http://sink');
      expect(c.env?.find((e) => e.name === 'K_CE_OVERRIDES')?.value).toBe('{"extensions":{"a":"b"}}');
    }
    // the user's variable keeps its position; our value replaces it
    expect(bound.spec?.containers[1]?.env?.map((e) => e.name)).toEqual(['K_SINK', 'B', 'K_CE_OVERRIDES']);
    expect(boundBy(bound)).toBe('SinkBinding ns/b');
    expect(plain.spec?.containers[0]?.env).toEqual([{ name: 'A', value: '1' }]); // input untouched
  });

  it('undo restores exactly the original template', () => {
    const bound = applyBinding(plain, { sinkUri: 'http://sink', caCerts: 'PEM' }, 'SinkBinding ns/b');
    expect(undoBinding(bound)).toEqual(plain);
  });

  it('is idempotent and follows a changed sink', () => {
    const once = applyBinding(plain, { sinkUri: 'http://one', caCerts: 'PEM' }, 'o');
    expect(applyBinding(once, { sinkUri: 'http://one', caCerts: 'PEM' }, 'o')).toEqual(once);
    const moved = applyBinding(once, { sinkUri: 'http://two' }, 'o');
    expect(moved).toEqual(applyBinding(plain, { sinkUri: 'http://two' }, 'o'));
    expect(moved.spec?.containers[0]?.env?.some((e) => e.name === 'K_CA_CERTS')).toBe(false);
    expect(undoBinding(moved)).toEqual(plain);
  });

  it('keeps annotations that were there and removes only the marker', () => {
    const annotated: V1PodTemplateSpec = { ...plain, metadata: { annotations: { keep: 'me' } } };
    const bound = applyBinding(annotated, { sinkUri: 'http://s' }, 'o');
    expect(bound.metadata?.annotations?.[BINDING_MARKER_ANNOTATION]).toBeDefined();
    expect(undoBinding(bound)).toEqual(annotated);
  });

  it('refuses a template bound by someone else', () => {
    const bound = applyBinding(plain, { sinkUri: 'http://s' }, 'SinkBinding ns/a');
    expect(() => applyBinding(bound, { sinkUri: 'http://s' }, 'SinkBinding ns/b')).toThrow(BindingConflictError);
  });

  it('leaves an unbound template alone on undo', () => {
    expect(undoBinding(plain)).toBe(plain);
  });
});

describe('podspecable', () => {
  it('finds the template of a Deployment and a CronJob', () => {
    const dep = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { template: plain } };
    expect(getPodTemplate(dep)).toEqual(plain);
    const cj = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: plain } } },
    };
    expect(getPodTemplate(cj)).toEqual(plain);
    const rebound = withPodTemplate(cj, applyBinding(plain, { sinkUri: 'http://s' }, 'o'));
    expect(boundBy(getPodTemplate(rebound))).toBe('o');
    expect(boundBy(getPodTemplate(cj))).toBeUndefined();
  });
});
