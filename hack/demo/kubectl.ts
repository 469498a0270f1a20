/**
 * The demo changes the cluster only through the real kubectl, as a user would (`kubectl apply`,
 * `kubectl delete`), so what it does can be repeated by hand from docs/getting-started.md.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from './localize.js';

export interface Kubectl {
  run(args: readonly string[], stdin?: string): Promise<string>;
  /** Server-side apply (the CRD-defaulted objects are big; server-side is what docs/install.md uses too). */
  apply(objects: readonly KubeObject[]): Promise<string>;
}

const unavailable = /connection.*refused|was refused|connection reset|i\/o timeout|ServiceUnavailable|TLS handshake timeout|EOF/i;

export function kubectlFor(kubeBin: string | undefined, kubeconfig: string): Kubectl {
  const exe = kubeBin ? join(kubeBin, 'kubectl') : 'kubectl';
  const run = (args: readonly string[], stdin?: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = spawn(exe, ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString('utf8');
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString('utf8');
      });
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve(out);
        else reject(new Error(`kubectl ${args.join(' ')} failed (exit ${code}): ${err.trim() || out.trim()}`));
      });
      child.stdin.end(stdin ?? '');
    });
  const apply = async (objects: readonly KubeObject[]): Promise<string> => {
    const args = ['apply', '--server-side', '--force-conflicts', '--field-manager', 'headwater-demo', '-f', '-'];
    const text = objects.map((o) => stringify(o)).join('---\n');
    for (let attempt = 1; ; attempt++) {
      try {
        return await run(args, text);
      } catch (err) {
        // The local apiserver is shared, and other runs' fault tests restart it: ride out a short outage.
        if (attempt >= 10 || !unavailable.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  };
  return { run, apply };
}
