/** kubectl and the admission webhook against the real local apiserver, for the api/ integration tests. */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { crdName, KINDS } from '../../../api/kinds.js';
import { type RunningWebhook, startWebhook } from '../../../controller/webhook/index.js';
import { deleteWebhookConfiguration } from '../../../controller/webhook/register.js';
import { KubeClient } from '../../../lib/kube/client.js';
import { createLogger } from '../../../lib/log.js';
import { loadKubeConfig, testEnv } from '../../support/env.js';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Asynchronous on purpose: the webhook under test answers from this same process, so a blocking
 * execFileSync would deadlock the apiserver's call back into it.
 */
export function kubectl(args: string[], stdin?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      `${testEnv.kubeBin()}/kubectl`,
      args,
      { env: { ...process.env, KUBECONFIG: testEnv.kubeconfig() }, maxBuffer: 32 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (stdin !== undefined) child.stdin?.end(stdin);
  });
}

export async function kubectlOk(args: string[], stdin?: string): Promise<string> {
  const r = await kubectl(args, stdin);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

export const crdDir = `${testEnv.repoRoot}crds/`;

export function crdFiles(): string[] {
  return readdirSync(crdDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `${crdDir}${f}`);
}

/** Server-side apply of every CRD (the files are too big for client-side apply's annotation) and wait until served. */
export async function applyCrds(): Promise<string> {
  const args = ['apply', '--server-side', '--force-conflicts', '--field-manager=headwater-api-test'];
  for (const f of crdFiles()) args.push('-f', f);
  const out = await kubectlOk(args);
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=120s', ...KINDS.map((k) => `crd/${crdName(k)}`)]);
  return out;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export function kubeClient(): KubeClient {
  return new KubeClient(loadKubeConfig());
}

/**
 * Runs the webhook in this process and registers it with the apiserver under a name of its own, so it
 * neither replaces nor is replaced by a controller's registration. `stop()` must run: a registration
 * with failurePolicy Fail whose server is gone would block every create of our kinds.
 */
export async function registerTestWebhook(
  name = uniqueName('headwater-validation-test'),
): Promise<{ hook: RunningWebhook; stop(): Promise<void> }> {
  const client = kubeClient();
  const hook = await startWebhook({
    port: 0,
    host: '127.0.0.1',
    hosts: ['127.0.0.1'],
    log: createLogger({ test: 'api-webhook' }, { level: 'warn' }),
    register: { target: { url: 'https://127.0.0.1:{port}/validate' }, client, name },
  });
  return {
    hook,
    stop: async () => {
      await deleteWebhookConfiguration(client, name);
      await hook.close();
    },
  };
}

export async function createNamespace(name: string): Promise<void> {
  await kubectlOk(['create', 'namespace', name]);
}

export async function deleteNamespace(name: string): Promise<void> {
  await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found']);
}
