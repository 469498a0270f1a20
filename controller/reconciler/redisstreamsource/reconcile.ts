/** RedisStreamSource: one adapter Deployment per source; `consumers` run inside it, in one consumer group. */
import type { V1EnvVar } from '@kubernetes/client-node';
import type { RedisStreamSourceSpec } from '../../../api/index.js';
import { REDIS_STREAM_EVENT_TYPE, RedisStreamSourceKind } from '../../../api/index.js';
import type { KubeObject, Reconciler } from '../../runtime/types.js';
import { secretEnv } from '../shared/bus.js';
import { makeSourceReconciler } from '../source/reconciler.js';

function specOf(source: KubeObject): RedisStreamSourceSpec {
  return (source.spec ?? {}) as RedisStreamSourceSpec;
}

/** Stable for the life of the source, so pending entries survive adapter restarts. */
export function defaultRedisGroup(source: KubeObject): string {
  return `headwater-${source.metadata.uid}`;
}

export function redisSecretEnv(spec: RedisStreamSourceSpec): V1EnvVar[] {
  const env: V1EnvVar[] = [];
  if (spec.password !== undefined) env.push(secretEnv('REDIS_PASSWORD', spec.password));
  if (spec.tls?.caCert !== undefined) env.push(secretEnv('REDIS_TLS_CA', spec.tls.caCert));
  return env;
}

export function redisStreamSourceReconciler(): Reconciler {
  return makeSourceReconciler({
    info: RedisStreamSourceKind,
    role: 'redisstream',
    sourceConfig: (s) => ({ ...specOf(s), group: specOf(s).group ?? defaultRedisGroup(s) }),
    secretEnv: (s) => redisSecretEnv(specOf(s)),
    // The group's consumers are concurrent readers inside one adapter (see adapter/redisstream), not replicas.
    replicas: () => 1,
    ceAttributes: (s) => [
      {
        type: REDIS_STREAM_EVENT_TYPE,
        source: `/apis/v1/namespaces/${s.metadata.namespace}/redisstreamsources/${s.metadata.name}#${specOf(s).stream}`,
      },
    ],
  });
}
