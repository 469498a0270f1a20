/**
 * Connection info of the local environment (hack/env.sh) for integration tests, never hard-coded: taken from
 * the process environment (after `eval "$(bash hack/env.sh env)"`), else asked from `hack/env.sh env` once.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

let fromScript: Record<string, string> | undefined;

function scriptEnv(): Record<string, string> {
  if (fromScript) return fromScript;
  fromScript = {};
  try {
    const out = execFileSync('bash', ['hack/env.sh', 'env'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const line of out.split('\n')) {
      const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
      if (m) fromScript[m[1]!] = m[2]!.replace(/^['"]|['"]$/g, '');
    }
  } catch {
    // No env script yet: callers get a clear error from required().
  }
  return fromScript;
}

function required(name: string): string {
  const v = process.env[name] || scriptEnv()[name];
  if (!v) throw new Error(`${name} is not set: run \`bash hack/env.sh up\` and \`eval "$(bash hack/env.sh env)"\``);
  return v;
}

export const testEnv = {
  repoRoot,
  kafkaBrokers: (): string[] => required('HEADWATER_KAFKA_BROKERS').split(','),
  redisUrl: (): string => required('HEADWATER_REDIS_URL'),
  natsUrl: (): string => required('HEADWATER_NATS_URL'),
  kubeconfig: (): string => required('KUBECONFIG'),
  /** Folder with kubectl, kube-apiserver, etcd. */
  kubeBin: (): string => required('HEADWATER_KUBE_BIN'),
};

/**
 * A KubeConfig for the local apiserver (or whatever KUBECONFIG points at: the same tests run against a real
 * cluster with `KUBECONFIG=~/.kube/config`).
 */
export function loadKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testEnv.kubeconfig());
  return kc;
}

/**
 * Short random id of this test process. The servers are shared by every test file, every developer's run and
 * CI on the same machine, so names of topics, streams, groups and namespaces carry it to never collide.
 */
export const runId: string = randomBytes(3).toString('hex');

let counter = 0;

/**
 * A name unique to this run, valid as a Kubernetes object name (DNS-1123 label: lower case, digits and '-', at
 * most 63 characters), a Kafka topic, a Redis key or a NATS stream name.
 */
export function uniqueName(prefix: string): string {
  counter += 1;
  const base = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
  const suffix = `-${runId}-${counter}`;
  return `${base.slice(0, 63 - suffix.length)}${suffix}`;
}
