/**
 * The real machinery around the reconcilers for integration tests: CRDs from crds/, a test namespace and a
 * private "system" namespace, the manager from controller/runtime with allReconcilers(), and the stand-in
 * kubelet so the real kube-controller-manager turns Deployments Available.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { sleep } from '../../../../lib/backoff.js';
import { KubeClient } from '../../../../lib/kube/client.js';
import { AlreadyExistsError, NotFoundError } from '../../../../lib/kube/errors.js';
import { createLogger } from '../../../../lib/log.js';
import { allReconcilers } from '../../../../controller/reconciler/index.js';
import { type Manager, startManager } from '../../../../controller/runtime/manager.js';
import type { KubeObject, Recorder, Reconciler, Writer } from '../../../../controller/runtime/types.js';
import { loadKubeConfig, testEnv } from '../../../support/env.js';
import { createNamespace, releaseNamespaces } from '../../../support/namespaces.js';
import { scopeReconcilers } from '../../../support/scoped-reconcilers.js';
import { StandInKubelet } from '../../../support/stand-in-kubelet.js';
import { waitFor } from '../../../support/wait-for.js';

// The reconciler tests import it from here, with the rest of their cluster helpers.
export { waitFor };

/**
 * The cluster of hack/env.sh is shared: a demo or e2e controller may be running against it at the same
 * time, reconciling our objects too. Two controllers of the same build and image converge on one desired
 * state, while different images would make them rewrite each other's Deployments forever, so the tests use
 * the dev image unless told otherwise.
 */
export const ADAPTER_IMAGE = process.env.HEADWATER_ADAPTER_IMAGE ?? 'headwater/headwater:dev';

export interface WriteRecord {
  verb: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface Harness {
  client: KubeClient;
  ns: string;
  sysNs: string;
  manager: Manager;
  kubelet: StandInKubelet;
  /** Every write the reconcilers made through their Writer and Recorder, in order. */
  writes: WriteRecord[];
  /** Writes that touched this harness's namespaces (the cluster is shared: others' objects get reconciled too). */
  ownWrites(): WriteRecord[];
  /** POSTs `obj` to its collection (`plural` of its apiVersion, in its namespace) and returns what was stored. */
  create(obj: KubeObject, plural: string): Promise<KubeObject>;
  /** Waits until the object at `path` has condition `type` = `status` (and `reason`, when given), and returns it. */
  waitForCondition(path: string, type: string, status: string, reason?: string): Promise<KubeObject>;
  /** The adapter Deployment the controller made for a source in the test namespace, found by its labels. */
  adapterDeployment(kind: string, name: string): Promise<KubeObject | undefined>;
  stop(): Promise<void>;
}

/**
 * Log what each reconciler's Writer and Recorder write, with the namespace (the manager's write metric has no
 * namespace label). Scoping to this harness's namespaces is test/support/scoped-reconcilers.ts.
 */
function recording(reconcilers: Reconciler[], log: WriteRecord[]): Reconciler[] {
  return reconcilers.map((r) => ({
    ...r,
    reconcile: (key, ctx) => {
      const note = (verb: string, kind: string, namespace: string | undefined, name: string | undefined): void => {
        log.push({ verb, kind, ...(namespace === undefined ? {} : { namespace }), name: name ?? '' });
      };
      const writer: Writer = {
        create: (gvk, obj) => {
          note('create', gvk.kind, obj.metadata.namespace, obj.metadata.name);
          return ctx.writer.create(gvk, obj);
        },
        update: (gvk, obj) => {
          note('update', gvk.kind, obj.metadata.namespace, obj.metadata.name);
          return ctx.writer.update(gvk, obj);
        },
        updateStatus: (gvk, obj) => {
          note('updateStatus', gvk.kind, obj.metadata.namespace, obj.metadata.name);
          return ctx.writer.updateStatus(gvk, obj);
        },
        patch: (gvk, k, p) => {
          note('patch', gvk.kind, k.namespace, k.name);
          return ctx.writer.patch(gvk, k, p);
        },
        delete: (gvk, k) => {
          note('delete', gvk.kind, k.namespace, k.name);
          return ctx.writer.delete(gvk, k);
        },
      };
      const recorder: Recorder = {
        event: (obj, type, reason, message) => {
          note(`event ${reason}`, obj.kind, obj.metadata.namespace, obj.metadata.name);
          ctx.recorder.event(obj, type, reason, message);
        },
      };
      return r.reconcile(key, { ...ctx, writer, recorder });
    },
  }));
}

function rand(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

interface Crd {
  metadata: { name: string; resourceVersion?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

/** Install (or refresh) the CRDs generated into crds/ and wait until the apiserver serves them. */
export async function installCrds(client: KubeClient): Promise<void> {
  const dir = `${testEnv.repoRoot}crds/`;
  const base = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const crd = parse(readFileSync(dir + file, 'utf8')) as Crd;
    try {
      await client.json({ method: 'POST', path: base, body: crd });
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      const live = await client.json<Crd>({ method: 'GET', path: `${base}/${crd.metadata.name}` });
      await client.json({ method: 'PUT', path: `${base}/${crd.metadata.name}`, body: { ...crd, metadata: { ...crd.metadata, resourceVersion: live.metadata.resourceVersion } } });
    }
    await waitFor(`CRD ${crd.metadata.name} established`, async () => {
      const live = await client.json<Crd>({ method: 'GET', path: `${base}/${crd.metadata.name}` });
      return live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    });
  }
}

export interface HarnessOptions {
  /** Cluster-scoped objects (ClusterEventBus names) this file creates and wants this harness's controller to reconcile. */
  clusterNames?: readonly string[];
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const kubeConfig = loadKubeConfig();
  const client = new KubeClient(kubeConfig);
  await installCrds(client);
  const ns = rand('hw-rec');
  const sysNs = rand('hw-sys');
  for (const n of [ns, sysNs]) {
    await createNamespace(client, n);
  }
  await client.json({
    method: 'POST',
    path: `/api/v1/namespaces/${sysNs}/serviceaccounts`,
    body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'headwater-cron-adapter', namespace: sysNs } },
  });
  const kubelet = new StandInKubelet(kubeConfig, { nodeName: rand('stand-in'), namespaces: () => [ns, sysNs] });
  await kubelet.start();
  const writes: WriteRecord[] = [];
  const manager = await startManager({
    kubeConfig,
    reconcilers: recording(scopeReconcilers(allReconcilers(), { namespaces: [ns, sysNs], clusterNames: options.clusterNames ?? [] }), writes),
    config: { adapterImage: ADAPTER_IMAGE, systemNamespace: sysNs },
    log: createLogger({ test: 'reconciler-integration' }, { level: (process.env.TEST_LOG_LEVEL as 'debug' | undefined) ?? 'error' }),
    leaderElection: false,
    resyncMs: 3000,
    workers: 2,
  });
  await manager.waitForSync();
  return {
    client,
    ns,
    sysNs,
    manager,
    kubelet,
    writes,
    ownWrites: () => writes.filter((w) => w.namespace === ns || w.namespace === sysNs),
    create: (obj, plural) =>
      client.json<KubeObject>({ method: 'POST', path: pathOf(obj.apiVersion, plural, obj.metadata.namespace), body: obj }),
    waitForCondition: (path, type, status, reason) =>
      waitFor(`${path} ${type}=${status}${reason ? ` (${reason})` : ''}`, async () => {
        const obj = await getOrUndefined(client, path);
        const c = conditionOf(obj, type);
        return c?.status === status && (reason === undefined || c.reason === reason) ? obj : undefined;
      }),
    async adapterDeployment(kind, name) {
      const list = await client.json<{ items: KubeObject[] }>({
        method: 'GET',
        path: pathOf('apps/v1', 'deployments', ns),
        query: { labelSelector: `sources.headwater.dev/kind=${kind},sources.headwater.dev/source=${name}` },
      });
      return list.items[0];
    },
    async stop() {
      // Namespaces first, while the controller still runs to release SinkBinding finalizers; pods go without a
      // grace period, so the stand-in kubelet need not confirm them. The rest goes in the background.
      await releaseNamespaces(client, [ns, sysNs]).catch(() => false);
      await manager.stop();
      await kubelet.stop();
      await client.json({ method: 'DELETE', path: `/api/v1/nodes/${kubelet.nodeName}` }).catch(() => {});
    },
  };
}

/** REST path of an object or collection. */
export function pathOf(apiVersion: string, plural: string, namespace: string | undefined, name?: string): string {
  const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const nsPart = namespace === undefined ? '' : `/namespaces/${namespace}`;
  return `${root}${nsPart}/${plural}${name === undefined ? '' : `/${name}`}`;
}

export async function getOrUndefined(client: KubeClient, path: string): Promise<KubeObject | undefined> {
  try {
    return await client.json<KubeObject>({ method: 'GET', path });
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

export async function mergePatch(client: KubeClient, path: string, patch: Record<string, unknown>): Promise<KubeObject> {
  return client.json<KubeObject>({ method: 'PATCH', path, body: patch, contentType: 'application/merge-patch+json' });
}

export function conditionOf(obj: KubeObject | undefined, type: string): { status: string; reason?: string; message?: string } | undefined {
  return (obj?.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] } | undefined)?.conditions?.find(
    (c) => c.type === type,
  );
}

export type EnvVar = { name: string; value?: string; valueFrom?: unknown };

export function containerEnv(dep: KubeObject | undefined, index = 0): EnvVar[] {
  const spec = dep?.spec as { template?: { spec?: { containers?: { env?: EnvVar[] }[] } } } | undefined;
  return spec?.template?.spec?.containers?.[index]?.env ?? [];
}

export function envValue(dep: KubeObject | undefined, name: string): string | undefined {
  return containerEnv(dep).find((e) => e.name === name)?.value;
}

/**
 * The zero-writes rule, checked on this harness's own objects: let in-flight reconciles finish, then watch
 * several resync periods (3 s) and expect no write at all to our namespaces.
 */
export async function expectNoWritesWhileSteady(h: Harness): Promise<void> {
  await sleep(4000);
  const before = h.ownWrites().length;
  if (before === 0) throw new Error('no writes recorded at all: the recording wrapper is not in the path');
  await sleep(10_000);
  const during = h.ownWrites().slice(before);
  if (during.length > 0) {
    // An update loop on Deployments here usually means a second, unscoped controller of another build (an
    // older checkout's test run) is reconciling the same namespaces with another adapter image.
    throw new Error(`steady state wrote ${during.length} times: ${JSON.stringify(during.slice(0, 10))}`);
  }
}

export function service(namespace: string, name: string, port = 80): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { ports: [{ port, targetPort: 8080 }], selector: { app: name } },
  };
}
