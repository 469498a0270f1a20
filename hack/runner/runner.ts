/**
 * Wiring of the local node runner: the Node and its heartbeat, the Pod half (Kubelet), and the
 * Service half (ServiceProxy + /etc/hosts). `startRunner` is what main.ts and the integration tests call.
 */
import { join, resolve } from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod, type V1Service, type V1Taint } from '@kubernetes/client-node';
import { createLogger, type Logger } from '../../lib/log.js';
import type { CrashBackoff } from './container-runner.js';
import { writeHostsBlock } from './hosts-file.js';
import { defaultImageTable, type ImageEntry } from './image-table.js';
import { IpPool } from './ip-pool.js';
import { KubeEdge } from './kube.js';
import { Kubelet } from './kubelet.js';
import { startKubeletServer } from './kubelet-server.js';
import { NodeHeartbeat } from './node-heartbeat.js';
import { reapOrphans } from './orphans.js';
import { ResourceCache } from './resource-cache.js';
import { ServiceProxy } from './service-proxy.js';
import { serviceRoutes } from './service-routes.js';

export interface RunnerConfig {
  /** Path of the kubeconfig the runner uses; also handed to the processes as KUBECONFIG. */
  kubeconfig: string;
  nodeName: string;
  nodeLabels: Record<string, string>;
  taints: V1Taint[];
  /** Pod addresses (inside 127.0.0.0/8). */
  podCIDR: string;
  /** Service addresses (inside 127.0.0.0/8), one per Service. */
  serviceCIDR: string;
  /** The checkout whose files the images map to. */
  repoRoot: string;
  fromSource: boolean;
  images: ImageEntry[];
  /** Logs of the processes go under here. */
  stateDir: string;
  /** The hosts file to keep Service names in; undefined to leave name resolution alone. */
  hostsFile: string | undefined;
  /** Forward Service addresses to endpoints (a loopback kube-proxy). */
  proxyServices: boolean;
  backoff: CrashBackoff;
  heartbeatMs: number;
  relistMs: number;
  /** Bind only Pods of these namespaces (a test's runner on a shared cluster); all when undefined. */
  bindNamespaces?: readonly string[];
  /** Remove the Node on exit (test runners do, so the pod GC collects their Pods). */
  deleteNodeOnExit: boolean;
  log?: Logger;
}

export function defaultRunnerConfig(overrides: Partial<RunnerConfig> & Pick<RunnerConfig, 'kubeconfig'>): RunnerConfig {
  const repoRoot = overrides.repoRoot ?? resolve(import.meta.dirname, '..', '..', ...(import.meta.dirname.includes('/dist/') ? ['..'] : []));
  const nodeName = overrides.nodeName ?? 'headwater-local';
  return {
    nodeName,
    nodeLabels: { 'kubernetes.io/hostname': nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'headwater.dev/runner': 'process' },
    taints: [],
    podCIDR: '127.42.0.0/16',
    serviceCIDR: '127.43.0.0/16',
    repoRoot,
    fromSource: false,
    images: defaultImageTable(),
    stateDir: join(repoRoot, '.headwater', 'runner', nodeName),
    hostsFile: '/etc/hosts',
    proxyServices: true,
    backoff: { baseMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 },
    heartbeatMs: 10_000,
    relistMs: 300_000,
    deleteNodeOnExit: false,
    ...overrides,
  };
}

export interface RunningRunner {
  nodeName: string;
  stop(): Promise<void>;
}

/** Serialises an async action and coalesces calls that arrive while it runs into one more run. */
function coalesce(action: () => Promise<void>, log: Logger): () => void {
  let running = false;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    again = false;
    action()
      .catch((err: unknown) => log.warn('sync failed', { err }))
      .finally(() => {
        running = false;
        if (again) run();
      });
  };
  return run;
}

export async function startRunner(config: RunnerConfig): Promise<RunningRunner> {
  const log = config.log ?? createLogger({ component: 'runner', node: config.nodeName });
  const kc = new KubeConfig();
  kc.loadFromFile(config.kubeconfig);
  const kube = new KubeEdge(kc, config.nodeName);
  const identity = { name: config.nodeName, labels: config.nodeLabels, taints: config.taints };
  const hostIP = '127.0.0.1';

  const recordDir = join(config.stateDir, 'processes');
  reapOrphans(recordDir, log);

  const logDir = join(config.stateDir, 'pods');
  const kubeletServer = await startKubeletServer(logDir, log);
  const heartbeat = new NodeHeartbeat(kube, { identity, hostIP, kubeletPort: kubeletServer.port, leaseDurationSeconds: 40, renewEveryMs: config.heartbeatMs, log });
  await heartbeat.register();
  log.info('node registered');

  const kubelet = new Kubelet({
    identity,
    kube,
    pool: new IpPool(config.podCIDR),
    ...(config.bindNamespaces ? { bindNamespaces: config.bindNamespaces } : {}),
    log,
    workerDeps: {
      kube,
      images: config.images,
      repoRoot: config.repoRoot,
      fromSource: config.fromSource,
      hostIP,
      logDir,
      recordDir,
      backoff: config.backoff,
      baseEnv: {
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        // No service-account token here: processes that talk to the apiserver use the runner's kubeconfig.
        KUBECONFIG: resolve(config.kubeconfig),
      },
      log,
    },
  });

  const core = kc.makeApiClient(CoreV1Api);
  let pods: ResourceCache<V1Pod> | undefined;
  let services: ResourceCache<V1Service> | undefined;
  const syncPods = coalesce(async () => {
    if (pods) kubelet.sync(pods.list());
  }, log);
  const proxy = new ServiceProxy(new IpPool(config.serviceCIDR), log);
  // Endpoints come from the Pods themselves (see service-routes.ts), so Pod changes re-program Services too.
  const syncServices = coalesce(async () => {
    if (!services || !pods) return;
    // A runner limited to some namespaces serves only their Services: several runners then never write the same names.
    const scope = config.bindNamespaces;
    const inScope = services.list().filter((svc) => !scope || scope.includes(svc.metadata?.namespace ?? ''));
    const hosts = await proxy.apply(serviceRoutes(inScope, pods.list()));
    if (config.hostsFile) await writeHostsBlock(config.hostsFile, config.nodeName, hosts);
  }, log);
  pods = new ResourceCache<V1Pod>({
    kc,
    path: '/api/v1/pods',
    list: () => core.listPodForAllNamespaces(),
    onChange: () => {
      syncPods();
      if (config.proxyServices) syncServices();
    },
    relistEveryMs: config.relistMs,
    log,
  });
  if (config.proxyServices) {
    services = new ResourceCache<V1Service>({ kc, path: '/api/v1/services', list: () => core.listServiceForAllNamespaces(), onChange: syncServices, relistEveryMs: config.relistMs, log });
    await services.start();
  }
  await pods.start();
  const resync = setInterval(syncPods, config.heartbeatMs);
  log.info('runner started', { podCIDR: config.podCIDR, serviceCIDR: config.serviceCIDR, fromSource: config.fromSource });

  return {
    nodeName: config.nodeName,
    async stop(): Promise<void> {
      clearInterval(resync);
      await Promise.all([pods?.stop(), services?.stop()]);
      await kubelet.shutdown();
      await proxy.close();
      await kubeletServer.close();
      if (config.hostsFile) await writeHostsBlock(config.hostsFile, config.nodeName, []);
      await heartbeat.stop(config.deleteNodeOnExit);
      log.info('runner stopped');
    },
  };
}
