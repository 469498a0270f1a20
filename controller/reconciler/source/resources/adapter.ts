/**
 * The desired receive-adapter Deployment of one source: the shared adapter shape, the source's env, and —
 * on the sink path — K_SINK/K_CE_OVERRIDES/K_CA_CERTS bound through the same code path as SinkBinding. Pure.
 */
import type { V1EnvVar, V1PodTemplateSpec } from '@kubernetes/client-node';
import { applyBinding } from '../../../binding/apply.js';
import { getPodTemplate, withPodTemplate } from '../../../binding/podspecable.js';
import type { KubeObject } from '../../../runtime/types.js';
import type { AdapterRole } from '../../shared/adapter-deployment.js';
import { buildAdapterDeployment } from '../../shared/adapter-deployment.js';
import { busSecretEnv } from '../../shared/bus.js';
import { deliveryJson } from '../../shared/delivery.js';
import { stableJson } from '../../shared/json.js';
import { childName } from '../../shared/naming.js';
import type { BusOutput, SinkOutput, SourceSpecDuck } from '../output.js';

export interface SourceAdapterInput {
  source: KubeObject;
  role: AdapterRole;
  image: string;
  output: SinkOutput | BusOutput;
  /** K_SOURCE_CONFIG: the spec with the controller's defaults filled in (secrets by reference only). */
  sourceConfig: Record<string, unknown>;
  /** The kind's own secret env (KAFKA_SASL_USER…), by secretKeyRef. */
  secretEnv: V1EnvVar[];
  replicas: number;
}

/** `kafkasource-<name>-<uid>`, shortened with a hash when it would not fit a DNS label. */
export function adapterDeploymentName(source: KubeObject): string {
  return childName(`${source.kind.toLowerCase()}-${source.metadata.name}-`, source.metadata.uid as string);
}

/** Who a source's own binding marker names, so undo/apply recognise their own work. */
export function bindingOwner(source: KubeObject): string {
  return `${source.kind} ${source.metadata.namespace}/${source.metadata.name}`;
}

export function buildSourceAdapter(input: SourceAdapterInput): KubeObject {
  const { source, output } = input;
  const spec = (source.spec ?? {}) as SourceSpecDuck;
  const env: V1EnvVar[] = [
    { name: 'NAMESPACE', value: source.metadata.namespace as string },
    { name: 'NAME', value: source.metadata.name as string },
    { name: 'K_SOURCE_CONFIG', value: stableJson(input.sourceConfig) },
  ];
  if (output.path === 'sink' && output.delivery !== undefined) env.push({ name: 'K_DELIVERY', value: deliveryJson(output.delivery) });
  if (output.path === 'bus') {
    env.push({ name: 'K_EVENT_BUS_CONFIG', value: stableJson(output.config) });
    if (spec.ceOverrides !== undefined) env.push({ name: 'K_CE_OVERRIDES', value: stableJson({ extensions: spec.ceOverrides.extensions ?? {} }) });
    env.push(...busSecretEnv(output.bus));
  }
  env.push(...input.secretEnv);

  const deployment = buildAdapterDeployment({
    name: adapterDeploymentName(source),
    namespace: source.metadata.namespace as string,
    role: input.role,
    image: input.image,
    ownerKind: source.kind,
    ownerName: source.metadata.name as string,
    owner: source,
    replicas: input.replicas,
    env,
  });
  if (output.path !== 'sink') return deployment;
  const bound = applyBinding(
    getPodTemplate(deployment) as V1PodTemplateSpec,
    {
      sinkUri: output.sink.uri,
      ...(spec.ceOverrides === undefined ? {} : { ceOverrides: spec.ceOverrides }),
      ...(output.sink.caCerts === undefined ? {} : { caCerts: output.sink.caCerts }),
    },
    bindingOwner(source),
  );
  return withPodTemplate(deployment, bound);
}
