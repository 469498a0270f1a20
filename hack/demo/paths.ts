/**
 * Which demo path an event at event-display came through, from what the event itself says: its `source`
 * (`/apis/v1/namespaces/NS/PLURAL/NAME…`, see docs/adapters.md) and the SinkBinding's ceOverrides extension.
 * Pure.
 */
export const demoPaths = ['cron', 'kafka', 'redisstream', 'sinkbinding', 'trigger'] as const;
export type DemoPath = (typeof demoPaths)[number];

export interface PathNamespaces {
  /** Where the sink-path samples run. */
  namespace: string;
  /** Where the bus-path sources and the Trigger run. */
  busNamespace: string;
}

export function classify(attributes: Record<string, unknown>, ns: PathNamespaces): DemoPath | undefined {
  const source = typeof attributes.source === 'string' ? attributes.source : '';
  // samples/sources/sinkbinding.yaml adds origin=producer to everything the bound workload sends.
  if (attributes.origin === 'producer') return 'sinkbinding';
  // Only the Trigger delivers events of the bus namespace's sources to event-display.
  if (source.startsWith(`/apis/v1/namespaces/${ns.busNamespace}/`)) return 'trigger';
  const m = /^\/apis\/v1\/namespaces\/([^/]+)\/([a-z]+)\//.exec(source);
  if (!m || m[1] !== ns.namespace) return undefined;
  switch (m[2]) {
    case 'cronsources':
      return 'cron';
    case 'kafkasources':
      return 'kafka';
    case 'redisstreamsources':
      return 'redisstream';
    default:
      return undefined;
  }
}
