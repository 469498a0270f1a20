/**
 * A control plane of the fault suite's own (hack/env.sh with HEADWATER_STATE=.headwater/faults-kube): etcd,
 * kube-apiserver and kube-controller-manager (real garbage collection, Deployment → ReplicaSet → Pod). The
 * controllers under test reconcile every namespace and the suite restarts this apiserver on purpose, so it must
 * not be the apiserver other engineers' tests use.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { KubeClient } from '../../../lib/kube/client.js';
import { testEnv } from '../../support/env.js';

const execFileAsync = promisify(execFile);
export const faultsKubeState = join(testEnv.repoRoot, '.headwater', 'faults-kube');

export interface PrivateKube {
  kubeconfig: string;
  kubectlPath: string;
  kubeConfig: KubeConfig;
  client: KubeClient;
  kubectl(args: string[], opts?: { as?: string; input?: string }): Promise<{ stdout: string; stderr: string }>;
  /** `hack/env.sh restart <component>` of this private control plane. */
  restart(component: 'kube-apiserver' | 'kube-controller-manager' | 'etcd'): Promise<void>;
  /** A kubeconfig for the same server that authenticates with `token` (a ServiceAccount's). */
  kubeconfigWithToken(token: string, file: string): string;
  /** Stops the control plane if this process brought it up (a developer's running one is left alone). */
  downIfStarted(): Promise<void>;
}

async function envSh(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('bash', [join(testEnv.repoRoot, 'hack', 'env.sh'), ...args], {
    cwd: testEnv.repoRoot,
    env: { ...process.env, HEADWATER_STATE: faultsKubeState },
    timeout: 300_000,
  });
  return stdout;
}

export async function privateKube(): Promise<PrivateKube> {
  const wasUp = /^kube-apiserver\s+up\b/m.test(await envSh(['status']));
  await envSh(['up', 'etcd', 'kube-apiserver', 'kube-controller-manager']);
  const vars: Record<string, string> = {};
  for (const line of (await envSh(['env'])).split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]!] = m[2]!.replace(/^['"]|['"]$/g, '');
  }
  const kubeconfig = vars.KUBECONFIG;
  const bin = vars.HEADWATER_KUBE_BIN;
  if (!kubeconfig || !bin) throw new Error('hack/env.sh env gave no KUBECONFIG / HEADWATER_KUBE_BIN for the faults cluster');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfig);
  const kubectlPath = join(bin, 'kubectl');
  return {
    kubeconfig,
    kubectlPath,
    kubeConfig,
    client: new KubeClient(kubeConfig),
    kubectl: async (args, opts = {}) => {
      const all = ['--kubeconfig', kubeconfig, ...(opts.as ? [`--as=${opts.as}`] : []), ...args];
      if (opts.input === undefined) return execFileAsync(kubectlPath, all, { cwd: testEnv.repoRoot, timeout: 120_000 });
      return new Promise((resolve, reject) => {
        const child = execFile(kubectlPath, all, { cwd: testEnv.repoRoot, timeout: 120_000 }, (err, stdout, stderr) =>
          err ? reject(Object.assign(err, { stdout, stderr })) : resolve({ stdout, stderr }),
        );
        child.stdin?.end(opts.input);
      });
    },
    downIfStarted: async () => {
      if (!wasUp) await envSh(['down', 'etcd', 'kube-apiserver', 'kube-controller-manager']);
    },
    restart: async (component) => {
      await envSh(['restart', component]);
    },
    kubeconfigWithToken(token, file) {
      const admin = parse(readFileSync(kubeconfig, 'utf8')) as { clusters: { name: string; cluster: Record<string, unknown> }[] };
      const cluster = admin.clusters[0];
      if (!cluster) throw new Error(`${kubeconfig} has no cluster`);
      const text = JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'faults', cluster: cluster.cluster }],
        users: [{ name: 'sa', user: { token } }],
        contexts: [{ name: 'sa', context: { cluster: 'faults', user: 'sa' } }],
        'current-context': 'sa',
      });
      writeFileSync(file, text, { mode: 0o600 });
      return file;
    },
  };
}
