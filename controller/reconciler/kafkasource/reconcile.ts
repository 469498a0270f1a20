/** KafkaSource: one adapter Deployment per source, `consumers` replicas in one consumer group. */
import type { V1EnvVar } from '@kubernetes/client-node';
import type { KafkaSourceSpec } from '../../../api/index.js';
import { ConditionTypes, KAFKA_EVENT_TYPE, KafkaSourceKind } from '../../../api/index.js';
import type { KubeObject, Reconciler } from '../../runtime/types.js';
import { secretEnv } from '../shared/bus.js';
import { makeSourceReconciler } from '../source/reconciler.js';
import type { AdapterReadinessCondition } from '../source/status.js';

function specOf(source: KubeObject): KafkaSourceSpec {
  return (source.spec ?? {}) as KafkaSourceSpec;
}

/** Knative's default, so a source moved from Knative keeps its committed offsets. */
export function defaultConsumerGroup(source: KubeObject): string {
  return `knative-kafka-source-${source.metadata.uid}`;
}

export function kafkaSecretEnv(spec: KafkaSourceSpec): V1EnvVar[] {
  const env: V1EnvVar[] = [];
  const sasl = spec.net?.sasl;
  if (sasl?.user !== undefined) env.push(secretEnv('KAFKA_SASL_USER', sasl.user));
  if (sasl?.password !== undefined) env.push(secretEnv('KAFKA_SASL_PASSWORD', sasl.password));
  const tls = spec.net?.tls;
  if (tls?.caCert !== undefined) env.push(secretEnv('KAFKA_TLS_CA', tls.caCert));
  if (tls?.cert !== undefined) env.push(secretEnv('KAFKA_TLS_CERT', tls.cert));
  if (tls?.key !== undefined) env.push(secretEnv('KAFKA_TLS_KEY', tls.key));
  return env;
}

/**
 * `ConnectionEstablished` and `InitialOffsetsCommitted`, as the kafka adapter's /readyz vouches for them: a
 * replica turns ready only after its consumer joined the group and every partition of the topics has a committed
 * offset (adapter/kafka/initial-offsets.ts). The controller reads no Secrets and so cannot connect itself.
 */
export function kafkaReadinessConditions(source: KubeObject): AdapterReadinessCondition[] {
  const spec = specOf(source);
  const group = spec.consumerGroup ?? defaultConsumerGroup(source);
  return [
    { type: ConditionTypes.ConnectionEstablished, fact: `it is connected to Kafka and its consumer joined group ${group}` },
    {
      type: ConditionTypes.InitialOffsetsCommitted,
      fact: `every partition of the topics has a committed offset in group ${group} (initialOffset ${spec.initialOffset ?? 'latest'} committed where there was none)`,
    },
  ];
}

export function kafkaSourceReconciler(): Reconciler {
  return makeSourceReconciler({
    info: KafkaSourceKind,
    role: 'kafka',
    sourceConfig: (s) => ({ ...specOf(s), consumerGroup: specOf(s).consumerGroup ?? defaultConsumerGroup(s) }),
    secretEnv: (s) => kafkaSecretEnv(specOf(s)),
    replicas: (s) => specOf(s).consumers ?? 1,
    readinessConditions: kafkaReadinessConditions,
    ceAttributes: (s) =>
      [...(specOf(s).topics ?? [])].sort().map((topic) => ({
        type: KAFKA_EVENT_TYPE,
        source: `/apis/v1/namespaces/${s.metadata.namespace}/kafkasources/${s.metadata.name}#${topic}`,
      })),
  });
}
