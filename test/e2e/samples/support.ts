/**
 * One end-to-end stack per test file: the real controller (startManager + allReconcilers, in this process),
 * the local node runner (in this process, running the adapter Deployments and event-display as processes of
 * the checkout's sources), the real apiserver/controller-manager and brokers of hack/env.sh. The samples
 * are applied with the real kubectl after hack/demo/localize.ts (the same rewrite the demo makes: local
 * brokers, this file's namespace, Kafka topics and Redis streams of its own, a 5-second schedule).
 *
 * The apiserver is shared with every other run on the machine and with the test files running side by side
 * (test/support/lanes.ts), so everything lives in namespaces of its own, the runner binds only those
 * namespaces' Pods, and the controller reconciles only those namespaces (test/support/scoped-reconcilers.ts).
 */
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { allReconcilers } from '../../../controller/reconciler/index.js';
import { type Manager, startManager } from '../../../controller/runtime/manager.js';
import { type DisplayedEvent, EventFeed } from '../../../hack/demo/event-feed.js';
import { type Kubectl, kubectlFor } from '../../../hack/demo/kubectl.js';
import { type KubeObject, type LocalizeOptions, localize } from '../../../hack/demo/localize.js';
import { readManifest } from '../../../hack/demo/manifests.js';
import { demoFiles, demoSchedule } from '../../../hack/demo/plan.js';
import { defaultImageTable } from '../../../hack/runner/image-table.js';
import { defaultRunnerConfig, type RunningRunner, startRunner } from '../../../hack/runner/runner.js';
import { KubeClient } from '../../../lib/kube/client.js';
import { NotFoundError } from '../../../lib/kube/errors.js';
import { createLogger } from '../../../lib/log.js';
import { testEnv, uniqueName } from '../../support/env.js';
import { loopbackOctet } from '../../support/loopback-range.js';
import { releaseNamespaces } from '../../support/namespaces.js';
import { scopeReconcilers } from '../../support/scoped-reconcilers.js';
import { waitFor as pollUntil } from '../../support/wait-for.js';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface Status {
  conditions?: Condition[];
  sinkUri?: string;
  backend?: string;
  ceAttributes?: { type: string; source: string }[];
  observedGeneration?: number;
}

export interface Obj {
  metadata: { name: string; namespace?: string; generation?: number };
  spec?: Record<string, unknown>;
  status?: Status;
}

export interface SampleStack {
  namespace: string;
  systemNamespace: string;
  kubectl: Kubectl;
  client: KubeClient;
  /** This file's localize options (namespace, brokers, renamed topics, fast schedule). */
  options: LocalizeOptions;
  /** The local name of a sample's Kafka topic or Redis stream. */
  topic(sampleName: string): string;
  /** A manifest of samples/, rewritten for this stack. */
  load(file: string, overrides?: Partial<LocalizeOptions>): KubeObject[];
  apply(objects: readonly KubeObject[]): Promise<void>;
  get(apiPath: string): Promise<Obj | undefined>;
  /** Every delivery event-display has received so far (up to its EVENT_DISPLAY_KEEP). */
  received(): Promise<DisplayedEvent[]>;
  eventDisplayUrl: string;
  stop(): Promise<void>;
}

/** Polls until probe returns a value, once a second: the sample stack runs a whole controller and runner. */
export function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000, describe?: () => Promise<string>): Promise<T> {
  return pollUntil(what, probe, timeoutMs, describe === undefined ? { intervalMs: 1000 } : { intervalMs: 1000, describe });
}

export function condition(o: Obj | undefined, type: string): Condition | undefined {
  return o?.status?.conditions?.find((c) => c.type === type);
}

/** Waits for Ready=True and returns the object; on timeout the error carries its conditions. */
export async function waitReady(stack: SampleStack, apiPath: string, timeoutMs = 120_000): Promise<Obj> {
  return waitFor(
    `${apiPath} to be Ready`,
    async () => {
      const o = await stack.get(apiPath);
      return condition(o, 'Ready')?.status === 'True' ? o : undefined;
    },
    timeoutMs,
    async () => `conditions: ${JSON.stringify((await stack.get(apiPath))?.status?.conditions ?? [])}`,
  );
}

export function sourcesPath(namespace: string, plural: string, name: string): string {
  return `/apis/sources.headwater.dev/v1alpha1/namespaces/${namespace}/${plural}/${name}`;
}

export function eventingPath(namespace: string | undefined, plural: string, name: string): string {
  return namespace ? `/apis/eventing.headwater.dev/v1alpha1/namespaces/${namespace}/${plural}/${name}` : `/apis/eventing.headwater.dev/v1alpha1/${plural}/${name}`;
}

export interface SampleStackOptions {
  /** Cluster-scoped objects (a ClusterEventBus) the file creates: this stack's controller reconciles only those. */
  clusterNames?: readonly string[];
}

export async function startSampleStack(label: string, stackOptions: SampleStackOptions = {}): Promise<SampleStack> {
  const namespace = uniqueName(`e2e-${label}`);
  const systemNamespace = uniqueName(`e2e-${label}-sys`);
  const kubeconfig = testEnv.kubeconfig();
  const kubectl = kubectlFor(testEnv.kubeBin(), kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const client = new KubeClient(kc);

  const topics = new Map<string, string>();
  const topic = (name: string): string => {
    let t = topics.get(name);
    if (!t) {
      t = uniqueName(`e2e-${name}`);
      topics.set(name, t);
    }
    return t;
  };
  const options: LocalizeOptions = {
    namespace,
    kafkaBrokers: testEnv.kafkaBrokers(),
    redisUrl: testEnv.redisUrl(),
    natsUrl: testEnv.natsUrl(),
    schedule: demoSchedule,
    renameTopic: topic,
  };
  const load = (file: string, overrides: Partial<LocalizeOptions> = {}): KubeObject[] =>
    readManifest(file).map((obj) => {
      const out = localize(obj, { ...options, ...overrides });
      if (obj.metadata.namespace === 'headwater-system') out.metadata.namespace = systemNamespace;
      return out;
    });
  const apply = async (objects: readonly KubeObject[]): Promise<void> => {
    await kubectl.apply(objects);
  };
  const get = async (apiPath: string): Promise<Obj | undefined> => {
    try {
      return await client.json<Obj>({ method: 'GET', path: apiPath });
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  };

  await kubectl.run(['create', 'namespace', namespace]);
  await kubectl.run(['create', 'namespace', systemNamespace]);
  // The controller's shared cron adapter runs under this ServiceAccount (config/rbac/cron-adapter.yaml).
  await kubectl.run(['create', 'serviceaccount', 'headwater-cron-adapter', '-n', systemNamespace]);

  const octet = loopbackOctet();
  const log = createLogger({ component: `e2e-${label}` }, { level: 'warn' });
  let runner: RunningRunner | undefined;
  let manager: Manager | undefined;
  const stop = async (): Promise<void> => {
    // Namespaces first, while the controller can release SinkBinding finalizers; their pods go at once and the
    // runner stops their processes. The namespace controller finishes the rest in the background.
    await releaseNamespaces(client, [namespace, systemNamespace]).catch(() => false);
    await manager?.stop();
    await runner?.stop();
  };
  try {
    runner = await startRunner({
      ...defaultRunnerConfig({ kubeconfig, nodeName: uniqueName(`e2e-${label}`) }),
      podCIDR: `127.${octet}.0.0/16`,
      serviceCIDR: `127.${octet + 1}.0.0/16`,
      // Runs the checkout's sources through tsx: no build needed for the tests.
      fromSource: true,
      bindNamespaces: [namespace, systemNamespace],
      images: defaultImageTable('headwater/headwater:*'),
      stateDir: join(testEnv.repoRoot, '.headwater', 'test-runner', namespace),
      backoff: { baseMs: 1000, maxMs: 5000, resetAfterMs: 600_000 },
      heartbeatMs: 2000,
      deleteNodeOnExit: true,
      log,
    });
    manager = await startManager({
      kubeConfig: kc,
      reconcilers: scopeReconcilers(allReconcilers(), { namespaces: [namespace, systemNamespace], clusterNames: stackOptions.clusterNames ?? [] }),
      // watchNamespaces also confines the shared cron adapter this stack runs: unconfined, it would tick the
      // CronSources of every other file's stack running side by side.
      config: { adapterImage: 'headwater/headwater:e2e', systemNamespace, watchNamespaces: [namespace] },
      log: createLogger({ component: 'controller' }, { level: 'error' }),
      leaderElection: false,
      resyncMs: 5000,
      workers: 2,
    });
    await manager.waitForSync();
    await apply(load(demoFiles.eventDisplay));
  } catch (err) {
    await stop();
    throw err;
  }

  const eventDisplayUrl = `http://event-display.${namespace}.svc.cluster.local`;
  const received = async (): Promise<DisplayedEvent[]> => {
    const res = await fetch(`${eventDisplayUrl}/events`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`GET ${eventDisplayUrl}/events: HTTP ${res.status}`);
    return (await res.json()) as DisplayedEvent[];
  };
  // Reachable through its Service name (the runner's hosts entries and proxy) before any sample sends to it.
  await waitFor('event-display to answer through its Service name', async () => {
    await new EventFeed(`${eventDisplayUrl}/events`).poll();
    return true;
  });
  return { namespace, systemNamespace, kubectl, client, options, topic, load, apply, get, received, eventDisplayUrl, stop };
}

/** Waits until event-display holds deliveries matching `match` (at least `count`), and returns them. */
export async function waitForEvents(stack: SampleStack, what: string, match: (e: DisplayedEvent) => boolean, count = 1, timeoutMs = 90_000): Promise<DisplayedEvent[]> {
  return waitFor(
    what,
    async () => {
      const hits = (await stack.received()).filter(match);
      return hits.length >= count ? hits : undefined;
    },
    timeoutMs,
    async () => `event-display holds: ${JSON.stringify((await stack.received().catch(() => [])).map((e) => [e.attributes.type, e.attributes.source, e.path]))}`,
  );
}

/**
 * The data of a structured CloudEvent read straight off a bus, as JSON: the bus carries a source's exact
 * payload, so text data is a JSON string member and bytes (Kafka values) are `data_base64`.
 */
export function busDataAsJson(event: Record<string, unknown>): unknown {
  if (typeof event.data_base64 === 'string') return JSON.parse(Buffer.from(event.data_base64, 'base64').toString('utf8'));
  if (typeof event.data === 'string') return JSON.parse(event.data);
  return event.data;
}
