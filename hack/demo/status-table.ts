/**
 * The READY/SINK table of what the demo applied, as `kubectl get sources,triggers,eventbuses` would show it:
 * one row per object, its Ready condition (status and reason) and where its events go (the resolved
 * `status.sinkUri`, else the bus it publishes to). Rendering is pure; reading goes through lib/kube.
 */
import type { KubeClient } from '../../lib/kube/client.js';

export interface TableKind {
  group: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const tableKinds: readonly TableKind[] = [
  { group: 'sources.headwater.dev', plural: 'cronsources', kind: 'CronSource', namespaced: true },
  { group: 'sources.headwater.dev', plural: 'kafkasources', kind: 'KafkaSource', namespaced: true },
  { group: 'sources.headwater.dev', plural: 'redisstreamsources', kind: 'RedisStreamSource', namespaced: true },
  { group: 'sources.headwater.dev', plural: 'sinkbindings', kind: 'SinkBinding', namespaced: true },
  { group: 'eventing.headwater.dev', plural: 'eventbuses', kind: 'EventBus', namespaced: true },
  { group: 'eventing.headwater.dev', plural: 'clustereventbuses', kind: 'ClusterEventBus', namespaced: false },
  { group: 'eventing.headwater.dev', plural: 'triggers', kind: 'Trigger', namespaced: true },
];

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface Listed {
  metadata: { name: string; namespace?: string };
  spec?: { eventBus?: string; subscribers?: { sink?: unknown; topic?: string }[] };
  status?: { conditions?: Condition[]; sinkUri?: string; backend?: string };
}

export interface Row {
  namespace: string;
  kind: string;
  name: string;
  ready: string;
  reason: string;
  sink: string;
  /** The Ready condition's message when it is not True: what the user should fix. */
  message: string;
}

export function rowOf(kind: string, o: Listed): Row {
  const ready = o.status?.conditions?.find((c) => c.type === 'Ready');
  let sink = o.status?.sinkUri ?? '';
  if (!sink && o.spec?.eventBus) sink = kind === 'Trigger' ? `from bus ${o.spec.eventBus}` : `bus ${o.spec.eventBus}`;
  if (!sink && o.status?.backend) sink = `backend ${o.status.backend}`;
  return {
    namespace: o.metadata.namespace ?? '',
    kind,
    name: o.metadata.name,
    ready: ready?.status ?? '',
    reason: ready?.reason ?? '',
    sink,
    message: ready && ready.status !== 'True' ? (ready.message ?? '') : '',
  };
}

export async function readRows(client: KubeClient, namespaces: readonly string[], clusterNames: readonly string[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const k of tableKinds) {
    if (k.namespaced) {
      for (const ns of namespaces) {
        const list = await client.json<{ items: Listed[] }>({ method: 'GET', path: `/apis/${k.group}/v1alpha1/namespaces/${ns}/${k.plural}` });
        for (const item of list.items) rows.push(rowOf(k.kind, item));
      }
    } else {
      const list = await client.json<{ items: Listed[] }>({ method: 'GET', path: `/apis/${k.group}/v1alpha1/${k.plural}` });
      for (const item of list.items) if (clusterNames.includes(item.metadata.name)) rows.push(rowOf(k.kind, item));
    }
  }
  return rows;
}

/** Left-aligned columns like kubectl's; messages of objects that are not Ready follow the table. */
export function renderTable(rows: readonly Row[]): string {
  const header = ['NAMESPACE', 'KIND', 'NAME', 'READY', 'REASON', 'SINK'];
  const cells = rows.map((r) => [r.namespace || '-', r.kind, r.name, r.ready || '-', r.reason || '-', r.sink || '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]): string =>
    c
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('   ')
      .trimEnd();
  const out = [line(header), ...cells.map(line)];
  for (const r of rows) if (r.message) out.push(`  ${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}: ${r.message}`);
  return out.join('\n');
}
