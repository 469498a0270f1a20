/**
 * What the controller left in a namespace: sources (and how many are Ready), their adapter Deployments, and
 * the two failures a restart or a lost leader can cause: two Deployments for one source, and Deployments whose
 * owner is gone (orphans). Every Deployment uid seen per source is remembered across audits, so a Deployment
 * deleted and re-created behind our back is counted too.
 */
import type { KubeClient } from '../../../lib/kube/client.js';

interface Obj {
  metadata: { name: string; uid: string; ownerReferences?: { uid: string; controller?: boolean }[]; deletionTimestamp?: string };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export const sourcePlurals = ['kafkasources', 'redisstreamsources'] as const;

export interface Audit {
  sources: number;
  ready: number;
  notReady: string[];
  withoutDeployment: string[];
  /** Sources with more than one Deployment right now. */
  duplicated: string[];
  /** Deployments whose controller owner does not exist. */
  orphans: string[];
  deployments: number;
}

export class Auditor {
  /** source uid → Deployment uids ever seen. */
  readonly deploymentUidsSeen = new Map<string, Set<string>>();

  constructor(private readonly client: KubeClient) {}

  /** Sources whose Deployment was re-created at least once while we watched. */
  recreated(): number {
    return [...this.deploymentUidsSeen.values()].filter((s) => s.size > 1).length;
  }

  async audit(ns: string): Promise<Audit> {
    const sources: (Obj & { plural: string })[] = [];
    for (const plural of sourcePlurals) {
      const list = await this.client.json<{ items: Obj[] }>({ method: 'GET', path: `/apis/sources.headwater.dev/v1alpha1/namespaces/${ns}/${plural}` });
      sources.push(...list.items.map((i) => ({ ...i, plural })));
    }
    const deps = (await this.client.json<{ items: Obj[] }>({ method: 'GET', path: `/apis/apps/v1/namespaces/${ns}/deployments` })).items;
    const byOwner = new Map<string, Obj[]>();
    for (const d of deps) {
      const owner = d.metadata.ownerReferences?.find((o) => o.controller)?.uid ?? '(none)';
      byOwner.set(owner, [...(byOwner.get(owner) ?? []), d]);
      const seen = this.deploymentUidsSeen.get(owner) ?? new Set<string>();
      seen.add(d.metadata.uid);
      this.deploymentUidsSeen.set(owner, seen);
    }
    const uids = new Set(sources.map((s) => s.metadata.uid));
    const ready = sources.filter((s) => s.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return {
      sources: sources.length,
      ready: ready.length,
      notReady: sources
        .filter((s) => !ready.includes(s))
        .map((s) => {
          const c = s.status?.conditions?.find((x) => x.type === 'Ready');
          return `${s.plural}/${s.metadata.name}: ${c ? `${c.status} ${c.reason ?? ''} ${c.message ?? ''}` : 'no Ready condition'}`;
        }),
      withoutDeployment: sources.filter((s) => !byOwner.has(s.metadata.uid)).map((s) => `${s.plural}/${s.metadata.name}`),
      duplicated: sources.filter((s) => (byOwner.get(s.metadata.uid)?.length ?? 0) > 1).map((s) => `${s.plural}/${s.metadata.name}`),
      orphans: deps.filter((d) => !d.metadata.deletionTimestamp && ![...uids].includes(d.metadata.ownerReferences?.find((o) => o.controller)?.uid ?? '')).map((d) => d.metadata.name),
      deployments: deps.length,
    };
  }

  /** Polls until every source is Ready with exactly one Deployment and nothing is orphaned; throws with the last audit. */
  async settled(ns: string, expected: number, timeoutMs = 240_000): Promise<Audit> {
    const deadline = Date.now() + timeoutMs;
    let last: Audit | undefined;
    let lastErr: unknown;
    while (Date.now() < deadline) {
      try {
        last = await this.audit(ns);
        if (last.sources === expected && last.ready === expected && last.duplicated.length === 0 && last.orphans.length === 0 && last.withoutDeployment.length === 0) return last;
      } catch (err) {
        lastErr = err; // the apiserver may be coming back
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`namespace ${ns} did not settle: ${JSON.stringify(last)} ${lastErr instanceof Error ? lastErr.message : ''}`);
  }
}
