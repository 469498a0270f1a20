/** Built-in kinds the reconcilers read or write (Headwater's own kinds come from api/kinds.ts). */
import type { GroupVersionKind } from '../../runtime/types.js';

export const DeploymentGVK: GroupVersionKind = { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true };
export const StatefulSetGVK: GroupVersionKind = { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets', namespaced: true };
export const DaemonSetGVK: GroupVersionKind = { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets', namespaced: true };
export const JobGVK: GroupVersionKind = { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', namespaced: true };
export const CronJobGVK: GroupVersionKind = { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs', namespaced: true };
export const ServiceGVK: GroupVersionKind = { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true };
export const KnativeServiceGVK: GroupVersionKind = {
  group: 'serving.knative.dev',
  version: 'v1',
  kind: 'Service',
  plural: 'services',
  namespaced: true,
};

/** Workload kinds SinkBinding watches so a subject that appears (or changes) is bound at once. */
export const BINDABLE_WORKLOADS: readonly GroupVersionKind[] = [DeploymentGVK, StatefulSetGVK, DaemonSetGVK, JobGVK, CronJobGVK];
