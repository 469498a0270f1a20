/**
 * The controller process: configuration from the environment, the manager (informers, queue, leader
 * election, health/metrics), the admission webhook when asked for, and a graceful SIGTERM.
 */
import { HeadwaterError } from '../lib/errors.js';
import { loadKubeConfig } from '../lib/kube/kubeconfig.js';
import { createLogger } from '../lib/log.js';
import { loadControllerConfig } from './runtime/config.js';
import { startManager } from './runtime/manager.js';
import { allReconcilers } from './reconciler/index.js';
import type { RunningWebhook } from './webhook/index.js';

const log = createLogger({ component: 'controller' });

async function maybeStartWebhook(port: number | undefined): Promise<RunningWebhook | undefined> {
  if (port === undefined) return undefined;
  // Loaded only when asked for: its modules (x509, the admission validators) are ~36 MiB of RSS.
  const { startWebhook } = await import('./webhook/index.js');
  const webhook = await startWebhook({ port, log: log.child({ component: 'webhook' }) });
  log.info('webhook started', { port: webhook.port });
  return webhook;
}

async function main(): Promise<void> {
  const config = loadControllerConfig();
  const kubeConfig = loadKubeConfig();
  const reconcilers = allReconcilers();
  const manager = await startManager({
    kubeConfig,
    reconcilers,
    config,
    log,
    workers: config.workers,
    resyncMs: config.resyncMs,
    metricsPort: config.metricsPort,
    defaultMetrics: true,
    leaderElection: config.leaderElection ? { identity: config.identity, namespace: config.systemNamespace } : false,
    // Losing the lease means another replica may already be reconciling: exit and let the Deployment
    // restart us as a fresh standby (as Knative and client-go do) instead of trusting our state.
    onLeadershipLost: () => {
      log.error('lost the leader lease; exiting so the Deployment restarts this replica');
      // Not waiting for reconciles in flight: they may hang on the very apiserver we lost touch with.
      process.exit(1);
    },
  });
  const webhook = await maybeStartWebhook(config.webhookPort);
  log.info('controller started', {
    systemNamespace: config.systemNamespace,
    metricsPort: manager.healthPort,
    identity: config.identity,
    // The system namespace is watched too when the list is set (see runtime/watch-namespaces.ts).
    watchNamespaces: config.watchNamespaces.length === 0 ? 'all' : config.watchNamespaces,
    kinds: reconcilers.map((r) => r.gvk.kind),
  });

  let shuttingDown = false;
  const shutdown = (signal: string): void => {
    if (shuttingDown) {
      log.warn('second signal; exiting now', { signal });
      process.exit(1);
    }
    shuttingDown = true;
    log.info('shutting down', { signal });
    // Stay inside the pod's terminationGracePeriodSeconds (30s by default).
    const force = setTimeout(() => {
      log.error('graceful shutdown took too long; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    Promise.all([manager.stop(), webhook?.close()])
      .then(() => {
        log.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        log.error('shutdown failed', { err });
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  log.error('controller failed to start', { err });
  process.exit(err instanceof HeadwaterError && err.code === 'ConfigError' ? 2 : 1);
});
