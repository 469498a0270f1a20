/**
 * A kube-apiserver of the benchmark's own (hack/env.sh with HEADWATER_STATE=.headwater/bench-kube): the controller
 * under test reconciles every namespace, so it must not share an apiserver with other work (or other controllers).
 * kube-controller-manager is stopped there: the stand-in kubelet marks Deployments available instead.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const benchKubeState = join(repoRoot, '.headwater', 'bench-kube');

function envSh(args: string[]): string {
  return execFileSync('bash', [join(repoRoot, 'hack', 'env.sh'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, HEADWATER_STATE: benchKubeState },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
}

export interface PrivateKube {
  kubeconfig: string;
  kubectl: string;
}

export function privateKube(): PrivateKube {
  envSh(['up', 'etcd', 'kube-apiserver']);
  envSh(['down', 'kube-controller-manager']);
  const vars: Record<string, string> = {};
  for (const line of envSh(['env']).split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]!] = m[2]!.replace(/^['"]|['"]$/g, '');
  }
  const kubeconfig = vars.KUBECONFIG;
  const bin = vars.HEADWATER_KUBE_BIN;
  if (!kubeconfig || !bin) throw new Error('hack/env.sh env gave no KUBECONFIG / HEADWATER_KUBE_BIN for the bench cluster');
  return { kubeconfig, kubectl: join(bin, 'kubectl') };
}

export function kubectl(k: PrivateKube, args: string[]): string {
  return execFileSync(k.kubectl, ['--kubeconfig', k.kubeconfig, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}
