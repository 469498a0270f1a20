/**
 * Renders docs/reliability.md from test/faults/.results/*.json, the figures the fault suite wrote on its last
 * run (`npm run test:faults` runs this after the suite passes; `npx tsx test/faults/render.ts` by hand). Only the
 * framing text is written here; every number comes from a result file.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ResultRow, resultsDir } from './support/results.js';

const docPath = fileURLToPath(new URL('../../docs/reliability.md', import.meta.url));

const areaOrder = ['Sink faults', 'Servers restarted', 'Adapter killed', 'Control plane', 'Bad input', 'Security'];

const intro: Record<string, string> = {
  'Sink faults':
    'The real adapter (redisstream role, a child process) drains 120 entries of a Redis stream into a sink that fails on purpose (`test/faults/sink-faults.test.ts`). Delivery: retry 3, exponential backoff from 50 ms, timeout 1 s, dead-letter sink on the same port.',
  'Servers restarted':
    '`hack/env.sh restart <component>` mid-stream, once per server, under every path that depends on it: real adapters carry 300 events per path to sinks that answer after 25 ms (so acknowledged events wait in the server when it goes down: "backlogAtRestart"). Redis carries a RedisStreamSource and a Trigger on the Redis Streams bus; NATS a Trigger on the NATS bus and a RedisStreamSource publishing to that bus with a Trigger reading it; Kafka a KafkaSource and a Trigger on the Kafka bus. The producers retry each event until the server acknowledged it, and the acknowledged ids are what was sent (`test/faults/broker-restart.test.ts`).',
  'Adapter killed':
    'SIGKILL while a batch is in flight: the sink holds every request open, the adapter is killed, restarted against a sink that accepts (`test/faults/adapter-kill.test.ts`). SIGKILL at a random moment of a flaky stream (20% 5xx, a 4 s outage, poison events) for the Kafka and Redis stream sources and the Trigger on all three buses is `test/integration/adapter/noloss/noloss.test.ts` (1,500 events each).',
  'Control plane':
    'A private kube-apiserver + etcd + kube-controller-manager (`.headwater/faults-kube`), two controller replicas (controller/main.ts) with leader election, authenticated as the `headwater-controller` ServiceAccount with the RBAC from `config/` (a TokenRequest token), the stand-in kubelet making Deployments Available (`test/faults/controller.test.ts`). After each fault every source must be Ready with exactly one Deployment it owns, no Deployment re-created (uids tracked across audits), no orphans. A replica that cannot renew its Lease for 10 s exits 1 by design and is restarted by the test, as its Deployment would be.',
  'Bad input':
    'fast-check properties (`test/faults/fuzz.test.ts`): each door either accepts something well-formed or refuses with its own typed error and a message; "accepted/refused" shows both branches ran. The hand-written invalid-object corpus (`test/fixtures/invalid/`, one file per mistake) runs against the real apiserver and webhook in `test/integration/api/invalid-corpus.test.ts`.',
  Security:
    'Secrets, RBAC and pod security on the private cluster (`test/faults/controller.test.ts`, "security on the same cluster"), and at the adapter process (`test/faults/adapter-security.test.ts`). The RBAC checks of `test/integration/controller/runtime/rbac.test.ts` and the cron role\'s K_CA_CERTS test (`test/integration/adapter/cron/standalone.test.ts`) cover the same ground from other angles.',
};

function readRows(): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const f of readdirSync(resultsDir).filter((n) => n.endsWith('.json')).sort()) {
    rows.push(...(JSON.parse(readFileSync(`${resultsDir}${f}`, 'utf8')) as ResultRow[]));
  }
  return rows;
}

const cell = (v: unknown): string => String(v).replaceAll('|', '\\|').replaceAll('\n', ' ');

function section(area: string, rows: ResultRow[]): string {
  const out = [`## ${area}`, '', intro[area] ?? '', ''];
  const withFigures = rows.filter((r) => r.figures);
  if (withFigures.length > 0) {
    out.push('| fault | sent | delivered | dead-lettered | duplicated ids (extra copies) | lost | other figures | result | s |', '| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |');
    for (const r of withFigures) {
      const f = r.figures!;
      const other = Object.entries(r.measures ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
      out.push(`| ${cell(r.fault)} | ${f.sent} | ${f.delivered} | ${f.deadLettered} | ${f.duplicatedIds} (${f.extraCopies}) | **${f.lost}** | ${cell(other)} | ${r.passed ? 'pass' : '**FAIL**'} | ${r.seconds.toFixed(1)} |`);
    }
    out.push('');
  }
  const rest = rows.filter((r) => !r.figures);
  if (rest.length > 0) {
    out.push('| check | figures | expectation | result | s |', '| --- | --- | --- | --- | ---: |');
    for (const r of rest) {
      const m = Object.entries(r.measures ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
      out.push(`| ${cell(r.fault)} | ${cell(m)} | ${cell(r.expectation)} | ${r.passed ? 'pass' : '**FAIL**'} | ${r.seconds.toFixed(1)} |`);
    }
    out.push('');
  }
  if (withFigures.length > 0) {
    out.push('Expectations:', '');
    for (const r of withFigures) out.push(`- ${r.fault}: ${r.expectation}.`);
    out.push('');
  }
  return out.join('\n');
}

const rows = readRows();
if (rows.length === 0) throw new Error(`no results in ${resultsDir}: run \`npm run test:faults\` first`);
const times = rows.map((r) => r.recordedAt).sort();
const lost = rows.reduce((s, r) => s + (r.figures?.lost ?? 0), 0);
const sent = rows.reduce((s, r) => s + (r.figures?.sent ?? 0), 0);
const failed = rows.filter((r) => !r.passed).length;
const inputs = rows.reduce((s, r) => s + (typeof r.measures?.inputsTried === 'number' ? r.measures.inputsTried : 0), 0);

const doc = [
  '# Reliability and security',
  '',
  '<!-- Generated by test/faults/render.ts from test/faults/.results/*.json (the fault suite\'s own output). Do not edit by hand: run `npm run test:faults`. -->',
  '',
  '`npm run test:faults` (vitest project `faults`, `test/faults/`) breaks things on purpose against the real local servers (`hack/env.sh`) and counts what was lost. The figures below are from its last run',
  `(${times[0]} – ${times.at(-1)}): **${sent.toLocaleString('en-US')} events sent under faults, ${lost} lost**; ${inputs.toLocaleString('en-US')} generated bad inputs; ${rows.length} checks, ${failed} failed.`,
  '',
  'Knobs (defaults are what the figures below used unless a row says otherwise): `HEADWATER_FAULTS_OUTAGE_SECONDS` (sink outage, default 30), `HEADWATER_FAULTS_CHURN` (sources created and deleted, default 1000), `HEADWATER_FUZZ_RUNS` (inputs per fuzzed door, default 2000).',
  '',
  ...areaOrder.filter((a) => rows.some((r) => r.area === a)).map((a) => section(a, rows.filter((r) => r.area === a))),
  ...[...new Set(rows.map((r) => r.area))].filter((a) => !areaOrder.includes(a)).map((a) => section(a, rows.filter((r) => r.area === a))),
  '## Found by this suite (and fixed)',
  '',
  '- The sink function helper (`samples/functions/lib/serve-function.ts`) accepted `ce-specversion: 9.9`, or `0.3` without `ce-source`/`ce-type`, and called the function with an event lacking them: the CloudEvents SDK validates 1.0 events only. Now 400 with the reason (dfc45b1).',
  '- The bus wire decoder (`adapter/bus/wire.ts`) accepted a message with `specversion: "2.0"` for the same reason. Now a BusDecodeError (d3a8d49).',
  '- `hack/env.sh restart redis` (and any command naming components that did not end with the last one) exited 1 without a word: the component list function returned its last failed test (25355b6).',
  '',
  '## Known limits',
  '',
  '- RBAC cannot express ownership: the controller\'s ClusterRole may create, update and delete any Deployment (it creates adapters in user namespaces). That it never touches one it does not own is enforced by the reconciler (ownerReferences) and tested above, not by the authorizer.',
  '- The controller reads no Secrets at all, so "Secrets outside what the sources reference" is refused along with the referenced ones: adapters get them from the kubelet through `secretKeyRef`.',
  '- On the bus path, JSON-typed data given as a string of JSON text travels as the JSON value it holds when that loses nothing (adapter/bus/wire.ts); otherwise (integers beyond 2^53, `1.0`, `\\u` escapes, text that is not JSON) its exact bytes travel as `data_base64`. Only white space between JSON tokens is not kept. Binary data (Kafka record values) travels as `data_base64`, byte for byte.',
  '- Duplicates are possible by design (at-least-once); CloudEvent ids are deterministic from the source position so sinks can deduplicate.',
  '',
].join('\n');

writeFileSync(docPath, doc);
console.log(`wrote ${docPath}: ${rows.length} rows, ${sent} events, ${lost} lost, ${failed} failed`);
