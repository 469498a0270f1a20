/** config/ is what gets applied to a cluster: check the parts other code relies on. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { decideLaunch, defaultImageTable } from '../../../../hack/runner/image-table.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

interface Doc {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[];
  [k: string]: unknown;
}

function docs(rel: string): Doc[] {
  return parseAllDocuments(readFileSync(`${root}${rel}`, 'utf8')).map((d) => d.toJS() as Doc);
}

const kustomization = parse(readFileSync(`${root}config/kustomization.yaml`, 'utf8')) as { resources: string[]; namespace: string };
const all = kustomization.resources.filter((r) => r.endsWith('.yaml')).flatMap((r) => docs(`config/${r}`));

describe('config/', () => {
  it('lists in crds/kustomization.yml exactly the generated CRDs', () => {
    const onDisk = readdirSync(`${root}crds`).filter((f) => f.endsWith('.yaml')).sort();
    const listed = (parse(readFileSync(`${root}crds/kustomization.yml`, 'utf8')) as { resources: string[] }).resources.sort();
    expect(listed).toEqual(onDisk);
    expect(kustomization.resources).toContain('../crds');
  });

  it('runs the controller in headwater-system with the adapter image and system namespace from env', () => {
    expect(kustomization.namespace).toBe('headwater-system');
    const deployment = all.find((d) => d.kind === 'Deployment' && d.metadata.name === 'headwater-controller') as unknown as {
      spec: { template: { spec: { serviceAccountName: string; containers: { name: string; env: { name: string; value?: string }[] }[] } } };
    };
    expect(deployment).toBeDefined();
    const pod = deployment.spec.template.spec;
    expect(pod.serviceAccountName).toBe('headwater-controller');
    const env = pod.containers[0]?.env.map((e) => e.name) ?? [];
    expect(env).toEqual(expect.arrayContaining(['HEADWATER_ADAPTER_IMAGE', 'SYSTEM_NAMESPACE', 'POD_NAME', 'METRICS_PORT']));
  });

  it("runs the image's controller role (the entrypoint the Dockerfile and the local runner share)", () => {
    const deployment = all.find((d) => d.kind === 'Deployment' && d.metadata.name === 'headwater-controller') as unknown as {
      spec: { template: { spec: { containers: { image: string; command?: string[]; args?: string[] }[] } } };
    };
    const container = deployment.spec.template.spec.containers[0];
    if (!container) throw new Error('no container');
    const decided = decideLaunch(defaultImageTable(), { ...container, image: `${container.image}:latest` });
    expect(decided).toEqual({ ok: true, launch: { file: 'dist/controller/main.js', args: [] } });
  });

  it('gives the cron adapter read-only access to CronSources and nothing else', () => {
    const role = all.find((d) => d.kind === 'ClusterRole' && d.metadata.name === 'headwater-cron-adapter');
    expect(role?.rules).toEqual([{ apiGroups: ['sources.headwater.dev'], resources: ['cronsources'], verbs: ['get', 'list', 'watch'] }]);
  });

  it('never lets the controller read Secrets or use wildcards', () => {
    const roles = all.filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role');
    expect(roles.length).toBeGreaterThanOrEqual(4);
    for (const role of roles) {
      for (const rule of role.rules ?? []) {
        expect(rule.resources).not.toContain('secrets');
        expect(rule.resources).not.toContain('*');
        expect(rule.verbs).not.toContain('*');
        expect(rule.apiGroups).not.toContain('*');
      }
    }
  });

  it('limits the leader Lease rights to the headwater-controller Lease', () => {
    const role = all.find((d) => d.kind === 'Role' && d.metadata.name === 'headwater-controller-leader-election');
    const named = role?.rules?.find((r) => r.resourceNames);
    expect(named).toEqual({ apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['headwater-controller'], verbs: ['get', 'update'] });
  });
});
