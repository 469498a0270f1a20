/**
 * The controller's environment, parsed once into a typed config; a bad value names the variable and the fix.
 */
import { hostname } from 'node:os';
import { ConfigError } from '../../lib/errors.js';
import type { ControllerConfig } from './types.js';
import { parseWatchNamespaces } from '../../lib/kube/watch-namespaces.js';

export interface ControllerProcessConfig extends ControllerConfig {
  metricsPort: number;
  resyncMs: number;
  workers: number;
  /** Port of the admission webhook; undefined = do not start it. */
  webhookPort: number | undefined;
  /** This replica's name in the leader Lease. */
  identity: string;
  leaderElection: boolean;
  watchNamespaces: string[];
}

/** Parallel reconciles when WORKERS is unset (the manager's default too). */
export const DEFAULT_WORKERS = 16;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, fix: string): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `"${raw}" is not an integer between ${min} and ${max}`, fix);
  }
  return n;
}

export function loadControllerConfig(env: NodeJS.ProcessEnv = process.env): ControllerProcessConfig {
  const adapterImage = env.HEADWATER_ADAPTER_IMAGE ?? '';
  if (!adapterImage.trim()) {
    throw new ConfigError(
      'HEADWATER_ADAPTER_IMAGE',
      'is not set',
      'Set it to the Headwater image the adapter Deployments run (the controller Deployment in config/ sets it)',
    );
  }
  const le = (env.LEADER_ELECTION ?? 'true').toLowerCase();
  if (le !== 'true' && le !== 'false') throw new ConfigError('LEADER_ELECTION', `"${env.LEADER_ELECTION}" is not true or false`, 'Use true (default) or false');
  const webhookRaw = env.WEBHOOK_PORT;
  return {
    adapterImage: adapterImage.trim(),
    systemNamespace: env.SYSTEM_NAMESPACE?.trim() || 'headwater-system',
    metricsPort: integer(env, 'METRICS_PORT', 9090, 0, 65535, 'Use a TCP port, e.g. METRICS_PORT=9090'),
    resyncMs: integer(env, 'RESYNC_SECONDS', 600, 1, 86_400, 'Use seconds between full resyncs, e.g. RESYNC_SECONDS=600') * 1000,
    // 16, not 4: reconciles wait on the apiserver far more than they use CPU (A/B in bench/README.md).
    workers: integer(env, 'WORKERS', DEFAULT_WORKERS, 1, 256, 'Use the number of parallel reconciles, e.g. WORKERS=16'),
    webhookPort: webhookRaw ? integer(env, 'WEBHOOK_PORT', 0, 1, 65535, 'Use a TCP port, e.g. WEBHOOK_PORT=8443') : undefined,
    identity: env.POD_NAME?.trim() || `${hostname()}-${process.pid}`,
    leaderElection: le === 'true',
    watchNamespaces: parseWatchNamespaces(env.WATCH_NAMESPACES),
  };
}
