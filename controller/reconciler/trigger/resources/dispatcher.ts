/** The dispatcher Deployment of one Trigger: the adapter in its `trigger` role, owned by the Trigger. Pure. */
import type { V1EnvVar } from '@kubernetes/client-node';
import type { KubeObject } from '../../../runtime/types.js';
import { buildAdapterDeployment } from '../../shared/adapter-deployment.js';
import { stableJson } from '../../shared/json.js';
import { childName } from '../../shared/naming.js';
import type { TriggerConfig } from './trigger-config.js';

export function dispatcherName(trigger: KubeObject): string {
  return childName(`trigger-${trigger.metadata.name}-`, trigger.metadata.uid as string);
}

export function buildDispatcher(trigger: KubeObject, image: string, config: TriggerConfig, secretEnv: V1EnvVar[]): KubeObject {
  return buildAdapterDeployment({
    name: dispatcherName(trigger),
    namespace: trigger.metadata.namespace as string,
    role: 'trigger',
    image,
    ownerKind: 'Trigger',
    ownerName: trigger.metadata.name as string,
    owner: trigger,
    replicas: 1,
    env: [
      { name: 'NAMESPACE', value: trigger.metadata.namespace as string },
      { name: 'NAME', value: trigger.metadata.name as string },
      { name: 'K_TRIGGER_CONFIG', value: stableJson(config) },
      ...secretEnv,
    ],
  });
}
