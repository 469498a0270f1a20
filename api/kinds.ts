/**
 * The registry of every Headwater kind: what the CRD generator, the docs generator, the webhook and the
 * reconcilers need to know about a kind, in one place.
 */
import type { TSchema } from 'typebox';
import { ClusterEventBusSchema, EventBusSchema } from './eventing/eventbus.js';
import { TriggerSchema } from './eventing/trigger.js';
import { EVENTING_GROUP, SOURCES_GROUP, VERSION } from './groups.js';
import { CRON_EVENT_TYPE, CronSourceSchema } from './sources/cronsource.js';
import { KAFKA_EVENT_TYPE, KafkaSourceSchema } from './sources/kafkasource.js';
import { REDIS_STREAM_EVENT_TYPE, RedisStreamSourceSchema } from './sources/redisstreamsource.js';
import { SinkBindingSchema } from './sources/sinkbinding.js';

/** Structurally identical to controller/runtime/types.ts GroupVersionKind (api must not import controller). */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface EventTypeInfo {
  type: string;
  description: string;
}

export interface KindInfo {
  group: string;
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  scope: 'Namespaced' | 'Cluster';
  categories: string[];
  printerColumns: PrinterColumn[];
  schema: TSchema;
  gvk: GroupVersionKind;
  /** Source kinds carry the `kn` discovery labels and the eventTypes annotation. */
  isSource: boolean;
  eventTypes: EventTypeInfo[];
}

const readyColumns: PrinterColumn[] = [
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
];
const sinkColumn: PrinterColumn = { name: 'Sink', type: 'string', jsonPath: '.status.sinkUri' };
const ageColumn: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

const SOURCE_CATEGORIES = ['all', 'knative', 'eventing', 'sources', 'headwater'];
const EVENTING_CATEGORIES = ['all', 'knative', 'eventing', 'headwater'];

interface KindInput {
  group: string;
  kind: string;
  plural: string;
  shortNames: string[];
  scope?: 'Namespaced' | 'Cluster';
  categories: string[];
  printerColumns: PrinterColumn[];
  schema: TSchema;
  isSource: boolean;
  eventTypes?: EventTypeInfo[];
}

function kindInfo(k: KindInput): KindInfo {
  const scope = k.scope ?? 'Namespaced';
  return {
    group: k.group,
    version: VERSION,
    kind: k.kind,
    listKind: `${k.kind}List`,
    plural: k.plural,
    singular: k.kind.toLowerCase(),
    shortNames: k.shortNames,
    scope,
    categories: k.categories,
    printerColumns: k.printerColumns,
    schema: k.schema,
    gvk: { group: k.group, version: VERSION, kind: k.kind, plural: k.plural, namespaced: scope === 'Namespaced' },
    isSource: k.isSource,
    eventTypes: k.eventTypes ?? [],
  };
}

export const CronSourceKind = kindInfo({
  group: SOURCES_GROUP,
  kind: 'CronSource',
  plural: 'cronsources',
  shortNames: ['cronsrc'],
  categories: SOURCE_CATEGORIES,
  printerColumns: [
    { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
    { name: 'Timezone', type: 'string', jsonPath: '.spec.timezone', priority: 1 },
    sinkColumn,
    ...readyColumns,
    ageColumn,
  ],
  schema: CronSourceSchema,
  isSource: true,
  eventTypes: [{ type: CRON_EVENT_TYPE, description: 'Sent on every tick of the schedule, with spec.data as payload.' }],
});

export const KafkaSourceKind = kindInfo({
  group: SOURCES_GROUP,
  kind: 'KafkaSource',
  plural: 'kafkasources',
  shortNames: ['kafkasrc'],
  categories: SOURCE_CATEGORIES,
  printerColumns: [
    { name: 'Topics', type: 'string', jsonPath: '.spec.topics' },
    { name: 'BootstrapServers', type: 'string', jsonPath: '.spec.bootstrapServers', priority: 1 },
    { name: 'ConsumerGroup', type: 'string', jsonPath: '.spec.consumerGroup', priority: 1 },
    sinkColumn,
    ...readyColumns,
    ageColumn,
  ],
  schema: KafkaSourceSchema,
  isSource: true,
  eventTypes: [{ type: KAFKA_EVENT_TYPE, description: 'One per Kafka record; id is {topic}-{partition}-{offset}.' }],
});

export const RedisStreamSourceKind = kindInfo({
  group: SOURCES_GROUP,
  kind: 'RedisStreamSource',
  plural: 'redisstreamsources',
  shortNames: ['redissrc'],
  categories: SOURCE_CATEGORIES,
  printerColumns: [
    { name: 'Stream', type: 'string', jsonPath: '.spec.stream' },
    { name: 'Address', type: 'string', jsonPath: '.spec.address', priority: 1 },
    sinkColumn,
    ...readyColumns,
    ageColumn,
  ],
  schema: RedisStreamSourceSchema,
  isSource: true,
  eventTypes: [{ type: REDIS_STREAM_EVENT_TYPE, description: 'One per stream entry; id is the entry id.' }],
});

export const SinkBindingKind = kindInfo({
  group: SOURCES_GROUP,
  kind: 'SinkBinding',
  plural: 'sinkbindings',
  shortNames: ['sbinding'],
  categories: SOURCE_CATEGORIES,
  printerColumns: [
    { name: 'Subject', type: 'string', jsonPath: '.spec.subject.name' },
    { name: 'SubjectKind', type: 'string', jsonPath: '.spec.subject.kind', priority: 1 },
    sinkColumn,
    ...readyColumns,
    ageColumn,
  ],
  schema: SinkBindingSchema,
  // A binding is a source in kn's eyes (Knative lists SinkBinding among sources); it emits whatever its subject sends.
  isSource: true,
});

const busColumns: PrinterColumn[] = [
  { name: 'Backend', type: 'string', jsonPath: '.status.backend' },
  ...readyColumns,
  ageColumn,
];

export const EventBusKind = kindInfo({
  group: EVENTING_GROUP,
  kind: 'EventBus',
  plural: 'eventbuses',
  shortNames: ['eb', 'bus'],
  categories: EVENTING_CATEGORIES,
  printerColumns: busColumns,
  schema: EventBusSchema,
  isSource: false,
});

export const ClusterEventBusKind = kindInfo({
  group: EVENTING_GROUP,
  kind: 'ClusterEventBus',
  plural: 'clustereventbuses',
  shortNames: ['ceb', 'cbus'],
  scope: 'Cluster',
  categories: EVENTING_CATEGORIES.filter((c) => c !== 'all'),
  printerColumns: busColumns,
  schema: ClusterEventBusSchema,
  isSource: false,
});

export const TriggerKind = kindInfo({
  group: EVENTING_GROUP,
  kind: 'Trigger',
  plural: 'triggers',
  // `trigger` would collide with Knative's own Trigger in a cluster that has both; `hwtrigger` does not.
  shortNames: ['hwtrigger', 'hwtrg'],
  categories: EVENTING_CATEGORIES,
  printerColumns: [
    { name: 'EventBus', type: 'string', jsonPath: '.spec.eventBus' },
    ...readyColumns,
    ageColumn,
  ],
  schema: TriggerSchema,
  isSource: false,
});

export const KINDS: readonly KindInfo[] = [
  CronSourceKind,
  KafkaSourceKind,
  RedisStreamSourceKind,
  SinkBindingKind,
  EventBusKind,
  ClusterEventBusKind,
  TriggerKind,
];

/** The KindInfo for a group/kind pair, or undefined for kinds that are not ours. */
export function findKind(group: string, kind: string): KindInfo | undefined {
  return KINDS.find((k) => k.group === group && k.kind === kind);
}

/** `kubectl get` name of the CRD: `<plural>.<group>`. */
export function crdName(k: KindInfo): string {
  return `${k.plural}.${k.group}`;
}
