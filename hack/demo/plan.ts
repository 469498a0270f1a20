/**
 * What the demo applies, in order, and where: the samples of samples/sources/ as written (through
 * localize.ts) plus the demo-only pieces of samples/demo/ (the sink, the bound workload, the Secrets the
 * samples name, the Trigger's bus-path inputs).
 *
 *   <ns>       event-display, CronSource heartbeat, KafkaSource orders, RedisStreamSource clicks,
 *              SinkBinding producer-binding + Deployment producer            → event-display
 *   <ns>-bus   EventBus default (NATS), CronSource heartbeat + KafkaSource orders on the bus,
 *              Trigger orders-and-heartbeat (heartbeat && orders)            → event-display in <ns>
 *   cluster    ClusterEventBus shared (Redis), its Secret in headwater-system
 */
import { type KubeObject, type LocalizeOptions, localize } from './localize.js';
import { readManifest } from './manifests.js';

export interface DemoLayout {
  namespace: string;
  busNamespace: string;
  systemNamespace: string;
}

export type Brokers = Pick<LocalizeOptions, 'kafkaBrokers' | 'redisUrl' | 'natsUrl'>;

/** "Every minute" is too slow to watch; the demo's CronSources tick every 5 seconds (6-field schedule). */
export const demoSchedule = '*/5 * * * * *';

export const sampleFiles = {
  cronsource: 'samples/sources/cronsource.yaml',
  kafkasource: 'samples/sources/kafkasource.yaml',
  redisstreamsource: 'samples/sources/redisstreamsource.yaml',
  sinkbinding: 'samples/sources/sinkbinding.yaml',
  eventbus: 'samples/sources/eventbus.yaml',
  clustereventbus: 'samples/sources/clustereventbus.yaml',
  trigger: 'samples/sources/trigger.yaml',
} as const;

export const demoFiles = {
  eventDisplay: 'samples/demo/event-display.yaml',
  producer: 'samples/demo/producer.yaml',
  secrets: 'samples/demo/secrets.yaml',
  triggerInputs: 'samples/demo/trigger-inputs.yaml',
} as const;

export interface PlanStep {
  what: string;
  objects: KubeObject[];
}

function namespaceObject(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'app.kubernetes.io/part-of': 'headwater-demo' } } };
}

export function demoPlan(layout: DemoLayout, brokers: Brokers): PlanStep[] {
  const main = { ...brokers, namespace: layout.namespace, schedule: demoSchedule };
  const bus = { ...brokers, namespace: layout.busNamespace, sinkNamespace: layout.namespace, schedule: demoSchedule };
  const load = (file: string, o: LocalizeOptions): KubeObject[] =>
    readManifest(file).map((obj) => {
      const out = localize(obj, o);
      // Objects the samples put in the controller's namespace go to the one this demo's controller uses.
      if (obj.metadata.namespace === 'headwater-system') out.metadata.namespace = layout.systemNamespace;
      return out;
    });
  return [
    { what: 'namespaces', objects: [namespaceObject(layout.namespace), namespaceObject(layout.busNamespace)] },
    { what: 'the sink (event-display) and the Secrets the samples name', objects: [...load(demoFiles.secrets, main), ...load(demoFiles.eventDisplay, main)] },
    {
      what: 'sink-path samples: CronSource, KafkaSource, RedisStreamSource, SinkBinding',
      objects: [sampleFiles.cronsource, sampleFiles.kafkasource, sampleFiles.redisstreamsource, sampleFiles.sinkbinding].flatMap((f) => load(f, main)),
    },
    // After the SinkBinding, so the first Pod of the workload already gets K_SINK.
    { what: 'the workload the SinkBinding binds (Deployment producer)', objects: load(demoFiles.producer, main) },
    {
      what: 'bus path: EventBus, the Trigger and its two inputs; ClusterEventBus',
      objects: [
        ...load(sampleFiles.eventbus, bus),
        ...load(demoFiles.triggerInputs, bus),
        ...load(sampleFiles.trigger, bus),
        ...load(sampleFiles.clustereventbus, main),
      ],
    },
  ];
}
