/**
 * The demo's settings, from the environment hack/demo.sh exports (`hack/env.sh env`): where the cluster and
 * the brokers are, plus the few names the demo chooses. A missing variable stops it with the fix.
 */
import { join } from 'node:path';
import { repoRoot } from './manifests.js';
import type { Brokers } from './plan.js';

export interface DemoEnv {
  kubeconfig: string;
  /** Folder with kubectl (HEADWATER_KUBE_BIN); else kubectl from PATH. */
  kubeBin: string | undefined;
  brokers: Brokers;
  /** Namespace of the sink-path samples; the bus path uses `<namespace>-bus`. */
  namespace: string;
  /** Image of the controller's adapter Deployments, as the runner's image table knows it (headwater/headwater:*). */
  adapterImage: string;
  /** The Node the demo's runner registers. */
  nodeName: string;
  logDir: string;
  eventsUrl(namespace: string): string;
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the demo through hack/demo.sh (or eval "$(bash hack/env.sh env)" first)`);
  return v;
}

export function readEnv(): DemoEnv {
  return {
    kubeconfig: required('KUBECONFIG'),
    kubeBin: process.env.HEADWATER_KUBE_BIN || undefined,
    brokers: {
      kafkaBrokers: required('HEADWATER_KAFKA_BROKERS').split(','),
      redisUrl: required('HEADWATER_REDIS_URL'),
      natsUrl: required('HEADWATER_NATS_URL'),
    },
    namespace: process.env.HEADWATER_DEMO_NAMESPACE || 'headwater-demo',
    adapterImage: 'headwater/headwater:dev',
    nodeName: 'headwater-demo',
    logDir: join(repoRoot, '.headwater', 'demo'),
    // The node runner maps Service names in /etc/hosts, so this is the URL any client in the cluster would use.
    eventsUrl: (ns) => `http://event-display.${ns}.svc.cluster.local/events`,
  };
}
