/**
 * The controller process: configuration from the environment, the manager (informers, queue, leader
 * election, health/metrics), the admission webhook when asked for, and a graceful SIGTERM.
 */
import { HeadwaterError } from '../lib/errors.js';
import { loadKubeConfig } from '../lib/kube/kubeconfig.js';
import { createLogger } from '../lib/log.js';
import { loadControllerConfig } from './runtime/config.js';
import { startManager } from './runtime/manager.js';
import type { Reconciler } from './runtime/types.js';

const log = createLogger({ component: 'controller' });

class StartupError extends HeadwaterError {}

// Loaded by a computed specifier so this file type-checks while the reconcilers and the webhook are
// written in parallel; the shape is checked at run time instead.
async function loadReconcilers(): Promise<Reconciler[]> {
  const specifier = './reconciler/index.js';
  const mod = (await import(specifier)) as { allReconcilers?: unknown };
  if (typeof mod.allReconcilers !== 'function') {
    throw new StartupError('NoReconcilers', `${specifier} does not export allReconcilers(): Reconciler[]`, { module: specifier });
  }
  return (mod.allReconcilers as () => Reconciler[])();
}

interface Closable {
  close?(): unknown;
  stop?(): unknown;
}

async function maybeStartWebhook(port: number | undefined): Promise<Closable | undefined> {
  if (port === undefined) return undefined;
  const specifier = './webhook/index.js';
  const mod = (await import(specifier)) as { startWebhook?: unknown };
  if (typeof mod.startWebhook !== 'function') {
    throw new StartupError('NoWebhook', `WEBHOOK_PORT is set but ${specifier} does not export startWebhook`, { module: specifier });
  }
  const started = (await (mod.startWebhook as (o: { port: number; log: typeof log }) => unknown)({ port, log })) as Closable | undefined;
  log.info('webhook started', { port });
  return started;
}

async function main(): Promise<void> {
  const config = loadControllerConfig();
  const kubeConfig = loadKubeConfig();
  const reconcilers = await loadReconcilers();
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
      process.exit(1);
    },
  });
  const webhook = await maybeStartWebhook(config.webhookPort);
  log.info('controller started', {
    systemNamespace: config.systemNamespace,
    metricsPort: manager.healthPort,
    identity: config.identity,
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
    Promise.all([manager.stop(), Promise.resolve(webhook?.close?.() ?? webhook?.stop?.())])
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
