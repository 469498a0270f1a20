/**
 * Connection info of the local environment (hack/env.sh) for integration tests, never hard-coded: taken from
 * the process environment (after `eval "$(bash hack/env.sh env)"`), else asked from `hack/env.sh env` once.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
};
