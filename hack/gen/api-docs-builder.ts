/** docs/api.md from the same schemas the CRDs come from: every field with type, default, bounds and description. */
import { MAX_FILTER_DEPTH } from '../../api/eventing/filter.js';
import { crdName, KINDS, type KindInfo } from '../../api/kinds.js';
import { type JsonSchema, toStructural } from './structural-schema.js';

interface Row {
  path: string;
  type: string;
  required: boolean;
  default?: unknown;
  constraints: string[];
  description: string;
}

function typeName(s: JsonSchema): string {
  if (s.type === 'array') return `[]${typeName(s.items as JsonSchema)}`;
  if (s.type === 'object' && typeof s.additionalProperties === 'object') {
    return `map[string]${typeName(s.additionalProperties as JsonSchema)}`;
  }
  return String(s.type);
}

function constraints(s: JsonSchema): string[] {
  const out: string[] = [];
  if (Array.isArray(s.enum)) out.push(`one of ${s.enum.map((v) => `\`${String(v) || '""'}\``).join(', ')}`);
  if (s.format) out.push(`format ${String(s.format)}`);
  if (s.minimum !== undefined || s.maximum !== undefined) out.push(`${String(s.minimum ?? '−∞')}…${String(s.maximum ?? '∞')}`);
  if (s.minLength !== undefined && s.minLength !== 0) out.push(`min length ${String(s.minLength)}`);
  if (s.maxLength !== undefined) out.push(`max length ${String(s.maxLength)}`);
  if (s.minItems !== undefined) out.push(`min items ${String(s.minItems)}`);
  if (s.maxItems !== undefined) out.push(`max items ${String(s.maxItems)}`);
  if (s.minProperties !== undefined) out.push(`min entries ${String(s.minProperties)}`);
  if (s.maxProperties !== undefined) out.push(`max entries ${String(s.maxProperties)}`);
  if (s.pattern) out.push(`pattern \`${String(s.pattern)}\``);
  for (const r of (s['x-kubernetes-validations'] as { message: string }[] | undefined) ?? []) out.push(`rule: ${r.message}`);
  return out;
}

/** Filters nest; their rows are shown once and the nested `all`/`any`/`not` say "same as a filter". */
function isNestedFilter(path: string): boolean {
  return /\.filters\[\]\.(all|any|not)$/.test(path);
}

function rows(s: JsonSchema, path: string, required: boolean, out: Row[]): void {
  const row: Row = {
    path,
    type: typeName(s),
    required,
    ...(s.default !== undefined ? { default: s.default } : {}),
    constraints: constraints(s),
    description: String(s.description ?? ''),
  };
  out.push(row);
  if (isNestedFilter(path)) {
    row.description += ' Same fields as a filter in spec.filters[].';
    return;
  }
  const req = new Set((s.required as string[] | undefined) ?? []);
  for (const [name, sub] of Object.entries((s.properties as Record<string, JsonSchema> | undefined) ?? {})) {
    rows(sub, `${path}.${name}`, req.has(name), out);
  }
  const items = s.type === 'array' ? (s.items as JsonSchema | undefined) : undefined;
  if (items?.type === 'object') {
    row.constraints.push(...constraints(items).map((c) => `each item: ${c}`));
    const reqItems = new Set((items.required as string[] | undefined) ?? []);
    for (const [name, sub] of Object.entries((items.properties as Record<string, JsonSchema> | undefined) ?? {})) {
      rows(sub, `${path}[].${name}`, reqItems.has(name), out);
    }
  }
  const value = s.type === 'object' && typeof s.additionalProperties === 'object' ? (s.additionalProperties as JsonSchema) : undefined;
  if (value?.type === 'object') {
    const reqValue = new Set((value.required as string[] | undefined) ?? []);
    for (const [name, sub] of Object.entries((value.properties as Record<string, JsonSchema> | undefined) ?? {})) {
      rows(sub, `${path}.<name>.${name}`, reqValue.has(name), out);
    }
  }
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function kindSection(k: KindInfo, example: string | undefined): string {
  const schema = toStructural(k.schema as unknown as JsonSchema, { maxRefDepth: MAX_FILTER_DEPTH });
  const spec = (schema.properties as Record<string, JsonSchema>).spec as JsonSchema;
  const out: Row[] = [];
  rows(spec, 'spec', true, out);
  const lines = [
    `## ${k.kind}`,
    '',
    `${String(schema.description)}`,
    '',
    `\`apiVersion: ${k.group}/${k.version}\` · CRD \`${crdName(k)}\` · ${k.scope === 'Cluster' ? 'cluster-scoped' : 'namespaced'} · short names ${k.shortNames.map((n) => `\`${n}\``).join(', ')} · categories ${k.categories.join(', ')}`,
    '',
  ];
  if (k.eventTypes.length > 0) {
    lines.push(`Emits: ${k.eventTypes.map((e) => `\`${e.type}\` (${e.description})`).join('; ')}`, '');
  }
  lines.push('| field | type | required | default | constraints | description |', '| --- | --- | --- | --- | --- | --- |');
  for (const r of out) {
    lines.push(
      `| \`${r.path}\` | ${cell(r.type)} | ${r.required ? 'yes' : ''} | ${r.default === undefined ? '' : `\`${cell(JSON.stringify(r.default))}\``} | ${cell(r.constraints.join('; '))} | ${cell(r.description)} |`,
    );
  }
  lines.push('', `Printer columns: ${k.printerColumns.map((c) => c.name).join(', ')}.`, '');
  if (example) lines.push('Example:', '', '```yaml', example.trimEnd(), '```', '');
  return lines.join('\n');
}

const PREAMBLE = `<!-- Generated by hack/gen/api-docs.ts from api/ (npm run gen). Do not edit by hand. -->
# Headwater API reference (v1alpha1)

Groups: \`sources.headwater.dev\` (CronSource, KafkaSource, RedisStreamSource, SinkBinding) and
\`eventing.headwater.dev\` (EventBus, ClusterEventBus, Trigger). Field names follow the Knative duck types.

## How objects are validated

1. **The CRD schema** (structural OpenAPI generated from \`api/\`): types, enums, bounds, patterns, and CEL
   rules (\`x-kubernetes-validations\`) for cross-field rules. The "constraints" column below lists them.
2. **The validating admission webhook** (\`controller/webhook\`) for what a schema cannot judge: cron syntax
   (5 fields, or 6 with seconds, or a macro such as \`@hourly\`), IANA time zone names, that a \`uri\` without
   \`ref\` is an absolute http(s) URL (and a \`uri\` with \`ref\` is relative), that \`CACerts\` are PEM
   certificates, that \`data\` is JSON when \`contentType\` is JSON, that a SinkBinding's subject is in its own
   namespace, and that each Trigger subscriber \`condition\` compiles as a boolean CEL expression over the
   declared input names.

Every message names the field path and what is allowed, e.g.
\`spec.schedule: "61 * * * *" is not a valid cron schedule (Field value (61) is out of range); allowed: 5 fields …\`.

The webhook runs inside the controller when \`WEBHOOK_PORT\` is set (config/webhook turns it on at 8443). At start it
makes a self-signed CA and serving certificate and creates or updates the ValidatingWebhookConfiguration
\`headwater-validation\` with that CA (several replicas merge their CAs into the bundle):

| variable | meaning |
| --- | --- |
| \`WEBHOOK_PORT\` | port of the HTTPS server (\`POST /validate\`, \`GET /healthz\`) |
| \`WEBHOOK_URL\` | register by URL, for an apiserver outside the cluster, e.g. \`https://127.0.0.1:8443/validate\` |
| \`WEBHOOK_SERVICE\` | in a pod: the Service the apiserver calls (default \`headwater-webhook\` in \`SYSTEM_NAMESPACE\`) |
| \`WEBHOOK_REGISTER\` | \`false\`: serve only, leave the registration to someone else |

The registration fails closed (\`failurePolicy: Fail\`): while no webhook answers, creates and updates of
Headwater objects are refused; deletes and status updates are never sent to it.

## Defaults

- Applied by the apiserver (the "default" column): \`delivery\` (\`retry: 3\`, \`backoffPolicy: exponential\`,
  \`backoffDelay: PT0.2S\`, \`timeout: PT30S\` — the same values the \`K_DELIVERY\` contract shows) on every
  source and every Trigger subscriber; KafkaSource \`initialOffset: latest\`, \`ordering: ordered\`,
  \`consumers: 1\`; RedisStreamSource \`consumers: 1\`; \`net.sasl.type: PLAIN\`; \`enable: false\` on SASL/TLS.
- Set by the controller when empty: KafkaSource \`consumerGroup\` (\`knative-kafka-source-<metadata.uid>\`) and
  RedisStreamSource \`group\` (\`headwater-<metadata.uid>\`): stable for the life of the source, so committed
  offsets and pending entries survive restarts and updates.
- Left unset on purpose: CronSource \`contentType\` (no \`datacontenttype\` is sent, as with Knative's
  PingSource) and \`timezone\` (the schedule is read in UTC).
- Secrets of a ClusterEventBus are read from the controller's namespace (\`headwater-system\`).

## Conditions

| kind | dependents of \`Ready\` |
| --- | --- |
| CronSource, KafkaSource, RedisStreamSource | \`SinkProvided\` (or \`EventBusReady\` on the bus path), \`Deployed\` (KafkaSource also has the informational \`ConnectionEstablished\`, \`InitialOffsetsCommitted\`: see below) |
| SinkBinding | \`SinkProvided\`, \`BindingAvailable\` |
| EventBus, ClusterEventBus | \`BackendReachable\` |
| Trigger | \`EventBusReady\`, \`SubscribersResolved\`, \`Deployed\` |

\`Ready\` follows the first \`False\` dependent (with its reason and message), else the first \`Unknown\` one,
else it is \`True\`. \`lastTransitionTime\` changes only when a condition's status changes.

KafkaSource's \`ConnectionEstablished\` and \`InitialOffsetsCommitted\` (severity \`Info\`, not dependents) are
\`True\` when \`Deployed\` is and \`Unknown\` (\`AdapterNotReady\`) otherwise: the adapter turns ready only once it is
connected, has joined the consumer group and has committed \`initialOffset\` for every partition without a
committed offset, so a restart never re-resolves \`latest\` past records produced after the source turned Ready.

Trigger filters nest (\`all\`, \`any\`, \`not\`) up to ${MAX_FILTER_DEPTH} levels deep.
`;

/** `examples` maps a kind to the YAML of its sample. */
export function renderApiDocs(examples: ReadonlyMap<string, string>): string {
  return `${PREAMBLE}\n${KINDS.map((k) => kindSection(k, examples.get(k.kind))).join('\n')}`;
}
