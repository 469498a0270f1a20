/**
 * Bus credentials and TLS from the EventBus spec to the adapter: the non-secret parts in the bus config JSON,
 * the secrets as secretKeyRef env (never values), the ClusterEventBus rule, and what BackendReachable says when the
 * probe could not check credentials or certificates (the controller reads no Secrets).
 */
import { describe, expect, it } from 'vitest';
import type { EventBusSpec } from '../../../../api/index.js';
import { probeLeftUnchecked, type BusProber } from '../../../../controller/reconciler/eventbus/prober.js';
import { eventBusReconciler } from '../../../../controller/reconciler/eventbus/reconcile.js';
import { busConfig, busSecretEnv, busUsability, type FoundBus } from '../../../../controller/reconciler/shared/bus.js';
import { triggerReconciler } from '../../../../controller/reconciler/trigger/reconcile.js';
import type { KubeObject } from '../../../../controller/runtime/types.js';
import { FakeKube } from '../../../support/fake-kube.js';
import { NS, adapterEnv, adapterEnvVars, condition, readyBus, service } from './fixtures.js';

const ref = (name: string, key: string) => ({ secretKeyRef: { name, key } });
const found = (spec: Record<string, unknown>, kind: FoundBus['kind'] = 'EventBus'): FoundBus => ({
  kind,
  obj: readyBus(kind, 'main', spec),
  spec: spec as EventBusSpec,
});
const envRef = (name: string, secret: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });

const kafkaFull = {
  kafka: {
    bootstrapServers: ['k:9093'],
    net: {
      sasl: { enable: true, type: 'SCRAM-SHA-512', user: ref('kb', 'user'), password: ref('kb', 'password') },
      tls: { enable: true, caCert: ref('kb', 'ca.crt'), cert: ref('kb', 'tls.crt'), key: ref('kb', 'tls.key') },
    },
  },
};

describe('bus config and secret env', () => {
  it.each([
    ['kafka, SASL and mutual TLS', kafkaFull, { backend: 'kafka', kafka: { bootstrapServers: ['k:9093'], net: { sasl: { enable: true, type: 'SCRAM-SHA-512' }, tls: { enable: true } } } }, [
      envRef('BUS_KAFKA_SASL_USER', 'kb', 'user'),
      envRef('BUS_KAFKA_SASL_PASSWORD', 'kb', 'password'),
      envRef('BUS_KAFKA_TLS_CA', 'kb', 'ca.crt'),
      envRef('BUS_KAFKA_TLS_CERT', 'kb', 'tls.crt'),
      envRef('BUS_KAFKA_TLS_KEY', 'kb', 'tls.key'),
    ]],
    ['kafka, SASL with the default mechanism', { kafka: { bootstrapServers: ['k:9092'], net: { sasl: { enable: true, user: ref('kb', 'u'), password: ref('kb', 'p') } } } },
      { backend: 'kafka', kafka: { bootstrapServers: ['k:9092'], net: { sasl: { enable: true, type: 'PLAIN' } } } },
      [envRef('BUS_KAFKA_SASL_USER', 'kb', 'u'), envRef('BUS_KAFKA_SASL_PASSWORD', 'kb', 'p')]],
    ['kafka, TLS with the system roots (no Secret)', { kafka: { bootstrapServers: ['k:9093'], net: { tls: { enable: true } } } },
      { backend: 'kafka', kafka: { bootstrapServers: ['k:9093'], net: { tls: { enable: true } } } }, []],
    ['kafka, SASL and TLS switched off: their references are not passed', {
      kafka: { bootstrapServers: ['k:9092'], net: { sasl: { enable: false, user: ref('kb', 'u'), password: ref('kb', 'p') }, tls: { caCert: ref('kb', 'ca') } } },
    }, { backend: 'kafka', kafka: { bootstrapServers: ['k:9092'] } }, []],
    ['redis, tls.enable and a CA', { redis: { address: 'r:6380', password: ref('rb', 'pw'), tls: { enable: true, caCert: ref('rb', 'ca.crt') } } },
      { backend: 'redis', redis: { address: 'r:6380', tls: { enable: true } } },
      [envRef('BUS_REDIS_PASSWORD', 'rb', 'pw'), envRef('BUS_REDIS_TLS_CA', 'rb', 'ca.crt')]],
    ['redis, rediss:// and a CA (TLS from the address)', { redis: { address: 'rediss://r:6380', tls: { caCert: ref('rb', 'ca.crt') } } },
      { backend: 'redis', redis: { address: 'rediss://r:6380' } }, [envRef('BUS_REDIS_TLS_CA', 'rb', 'ca.crt')]],
    ['redis, a CA but no TLS: not passed', { redis: { address: 'r:6379', tls: { caCert: ref('rb', 'ca.crt') } } },
      { backend: 'redis', redis: { address: 'r:6379' } }, []],
  ] as const)('%s', (_label, spec, config, env) => {
    const bus = found(spec as unknown as Record<string, unknown>);
    expect(busConfig(bus)).toEqual(config);
    expect(busSecretEnv(bus)).toEqual(env);
    // Only references: no secret value ever lands in the env.
    expect(busSecretEnv(bus).every((e) => e.value === undefined)).toBe(true);
  });

  it.each([
    ['Kafka SASL', { kafka: { bootstrapServers: ['k:9092'], net: { sasl: { enable: true, user: ref('kb', 'u'), password: ref('kb', 'p') } } } }, false],
    ['Kafka TLS with a CA', { kafka: { bootstrapServers: ['k:9093'], net: { tls: { enable: true, caCert: ref('kb', 'ca') } } } }, false],
    ['Redis TLS with a CA', { redis: { address: 'rediss://r:6380', tls: { caCert: ref('rb', 'ca') } } }, false],
    ['Kafka TLS with the system roots', { kafka: { bootstrapServers: ['k:9093'], net: { tls: { enable: true } } } }, true],
  ] as const)('a ClusterEventBus with %s serves other namespaces: %s', (_label, spec, usable) => {
    const verdict = busUsability(found(spec as unknown as Record<string, unknown>, 'ClusterEventBus'), 'team-a', 'headwater-system', 'main');
    if (usable) expect(verdict).toEqual({ usable: true });
    else expect(verdict).toMatchObject({ usable: false, reason: 'EventBusCredentialsUnavailable' });
    // In the controller namespace the references resolve: usable either way.
    expect(busUsability(found(spec as unknown as Record<string, unknown>, 'ClusterEventBus'), 'headwater-system', 'headwater-system', 'main')).toEqual({ usable: true });
  });
});

describe('a Trigger on a credentialed Kafka bus', () => {
  it('gets the mechanism and switches in K_TRIGGER_CONFIG and every secret by secretKeyRef', async () => {
    const trigger: KubeObject = {
      apiVersion: 'eventing.headwater.dev/v1alpha1',
      kind: 'Trigger',
      metadata: { name: 't', namespace: NS, uid: 'uid-t', generation: 1 },
      spec: { eventBus: 'main', inputs: { a: { eventSource: { kind: 'CronSource', name: 'tick' } } }, subscribers: [{ sink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'web' } } }] },
    };
    const kube = new FakeKube([service('web'), readyBus('EventBus', 'main', kafkaFull), trigger]);
    await triggerReconciler().reconcile({ namespace: NS, name: 't' }, kube.context());
    const dep = kube.find('apps/v1', 'Deployment', NS, 'trigger-t-uid-t');
    expect(JSON.parse(adapterEnv(dep).K_TRIGGER_CONFIG ?? '{}').bus).toEqual({
      backend: 'kafka',
      kafka: { bootstrapServers: ['k:9093'], net: { sasl: { enable: true, type: 'SCRAM-SHA-512' }, tls: { enable: true } } },
    });
    const names = adapterEnvVars(dep).filter((e) => e.name.startsWith('BUS_')).map((e) => e.name);
    expect(names).toEqual(['BUS_KAFKA_SASL_USER', 'BUS_KAFKA_SASL_PASSWORD', 'BUS_KAFKA_TLS_CA', 'BUS_KAFKA_TLS_CERT', 'BUS_KAFKA_TLS_KEY']);
    expect(adapterEnvVars(dep)).toContainEqual(envRef('BUS_KAFKA_SASL_PASSWORD', 'kb', 'password'));
  });
});

describe('BackendReachable when the probe could not check credentials or certificates', () => {
  it.each([
    [{ nats: { url: 'nats://n:4222' } }, undefined],
    [{ kafka: { bootstrapServers: ['k:9092'] } }, undefined],
    [{ nats: { url: 'nats://n:4222', token: ref('n', 't') } }, /the adapters that use the bus check the credentials \(/],
    [{ redis: { address: 'rediss://r:6380' } }, /the adapters that use the bus check the TLS certificates \(/],
    [kafkaFull, /the adapters that use the bus check the credentials and the TLS certificates \(the controller reads no Secrets\)/],
  ] as const)('%j → %s', (spec, message) => {
    const got = probeLeftUnchecked(spec as unknown as EventBusSpec);
    if (message === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(message);
  });

  it('the EventBus turns Ready and its BackendReachable says what the adapters still check', async () => {
    const answered: BusProber = { probe: async () => undefined };
    const kube = new FakeKube([{ ...readyBus('EventBus', 'main', kafkaFull), status: {}, metadata: { name: 'main', namespace: NS, generation: 1 } }]);
    await eventBusReconciler(answered).reconcile({ namespace: NS, name: 'main' }, kube.context());
    const b = kube.find('eventing.headwater.dev/v1alpha1', 'EventBus', NS, 'main');
    expect(condition(b, 'Ready')).toMatchObject({ status: 'True' });
    expect(condition(b, 'BackendReachable')).toMatchObject({ status: 'True', reason: 'BackendAnswered', message: expect.stringMatching(/credentials and the TLS certificates/) });
  });
});
