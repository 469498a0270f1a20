/**
 * The RBAC in config/rbac/ on the real apiserver (RBAC authorizer and the ClusterRole aggregation
 * controller), asked through `kubectl auth can-i --as=<service account>`. Only the namespace's existence
 * and the RBAC objects are applied: no Deployment, so nothing starts running.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { AlreadyExistsError } from '../../../../lib/kube/errors.js';
import { KubeClient } from '../../../../lib/kube/client.js';
import { testEnv } from '../../../support/env.js';
import { createNamespace, loadTestKubeConfig, repoRoot } from './cluster.js';

const execFileAsync = promisify(execFile);
const kubectl = (args: string[]) =>
  execFileAsync(`${testEnv.kubeBin()}/kubectl`, ['--kubeconfig', testEnv.kubeconfig(), ...args], { cwd: repoRoot });

const controller = 'system:serviceaccount:headwater-system:headwater-controller';
const cronAdapter = 'system:serviceaccount:headwater-system:headwater-cron-adapter';

async function can(as: string, verb: string, resource: string, namespace = 'some-user-ns'): Promise<boolean> {
  try {
    await kubectl(['auth', 'can-i', verb, resource, '-n', namespace, `--as=${as}`, '--quiet']);
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 1) return false;
    throw err;
  }
}

describe('config/rbac on the real apiserver', () => {
  beforeAll(async () => {
    const client = new KubeClient(loadTestKubeConfig());
    try {
      await createNamespace(client, 'headwater-system');
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
    client.destroy();
    await kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=headwater-rbac-test', ...['controller-serviceaccount', 'controller-clusterrole', 'controller-bindings', 'cron-adapter'].flatMap((f) => ['-f', `config/rbac/${f}.yaml`])]);
  });

  it('lets the cron adapter read CronSources and nothing else', async () => {
    expect(await can(cronAdapter, 'list', 'cronsources.sources.headwater.dev')).toBe(true);
    expect(await can(cronAdapter, 'watch', 'cronsources.sources.headwater.dev')).toBe(true);
    expect(await can(cronAdapter, 'update', 'cronsources.sources.headwater.dev')).toBe(false);
    expect(await can(cronAdapter, 'list', 'kafkasources.sources.headwater.dev')).toBe(false);
    expect(await can(cronAdapter, 'get', 'secrets')).toBe(false);
    expect(await can(cronAdapter, 'list', 'deployments.apps')).toBe(false);
  });

  it('gives the controller what it reconciles with, and no Secrets', async () => {
    expect(await can(controller, 'create', 'deployments.apps')).toBe(true);
    expect(await can(controller, 'delete', 'deployments.apps')).toBe(true);
    expect(await can(controller, 'update', 'cronsources.sources.headwater.dev/status')).toBe(true);
    expect(await can(controller, 'patch', 'triggers.eventing.headwater.dev/status')).toBe(true);
    expect(await can(controller, 'patch', 'statefulsets.apps')).toBe(true);
    expect(await can(controller, 'create', 'statefulsets.apps')).toBe(false);
    expect(await can(controller, 'create', 'events')).toBe(true);
    expect(await can(controller, 'delete', 'cronsources.sources.headwater.dev')).toBe(false);
    expect(await can(controller, 'get', 'secrets')).toBe(false);
    expect(await can(controller, 'list', 'pods')).toBe(false);
  });

  it('limits the Lease rights to headwater-controller in headwater-system', async () => {
    expect(await can(controller, 'update', 'leases.coordination.k8s.io/headwater-controller', 'headwater-system')).toBe(true);
    expect(await can(controller, 'create', 'leases.coordination.k8s.io', 'headwater-system')).toBe(true);
    expect(await can(controller, 'update', 'leases.coordination.k8s.io/someone-else', 'headwater-system')).toBe(false);
    expect(await can(controller, 'update', 'leases.coordination.k8s.io/headwater-controller', 'default')).toBe(false);
  });

  it('resolves Addressables through the aggregated role', async () => {
    // The aggregation controller (in kube-controller-manager) fills the role in shortly after it is applied.
    await vi.waitFor(async () => expect(await can(controller, 'get', 'services')).toBe(true), { timeout: 60_000, interval: 500 });
    expect(await can(controller, 'update', 'services')).toBe(false);
    // Knative is not installed here, so `can-i` cannot judge its kinds; the aggregated rules show them.
    const { stdout } = await kubectl(['get', 'clusterrole', 'headwater-addressable-resolver', '-o', 'jsonpath={.rules}']);
    const rules = JSON.parse(stdout) as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    expect(rules).toContainEqual({ apiGroups: ['serving.knative.dev'], resources: ['services', 'routes'], verbs: ['get', 'list', 'watch'] });
  });
});
