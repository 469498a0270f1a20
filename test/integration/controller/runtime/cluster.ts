/** Shared helpers for the controller-runtime integration tests: the real local apiserver from hack/env.sh. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ResourceType } from '../../../../lib/kube/resource.js';
import { createLogger } from '../../../../lib/log.js';
import { loadKubeConfig } from '../../../support/env.js';

// The runtime tests import them from here, with the rest of their cluster helpers.
export { createNamespace, deleteNamespace } from '../../../support/namespaces.js';

const execFileAsync = promisify(execFile);

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const quietLog = createLogger({ test: 'controller-runtime' }, { level: (process.env.TEST_LOG_LEVEL as 'debug') ?? 'error' });

export const configMaps: ResourceType = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };

/** The local apiserver from hack/env.sh, through test/support/env.ts. */
export function loadTestKubeConfig(): KubeConfig {
  return loadKubeConfig();
}

export function stateDir(): string {
  return process.env.HEADWATER_STATE ?? `${repoRoot}.headwater`;
}

export function apiserverPid(): number {
  return Number(readFileSync(`${stateDir()}/kube-apiserver/pid`, 'utf8').trim());
}

/** Async on purpose: a sync exec would freeze the event loop, and with it the informers under test. */
export async function restartApiserver(): Promise<void> {
  try {
    await execFileAsync('bash', ['hack/env.sh', 'restart', 'kube-apiserver'], { cwd: repoRoot, timeout: 240_000 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`hack/env.sh restart kube-apiserver failed: ${stderr}`, { cause: err });
  }
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export interface ConfigMap {
  apiVersion: 'v1';
  kind: 'ConfigMap';
  metadata: { name: string; namespace: string; labels?: Record<string, string>; resourceVersion?: string; uid?: string };
  data?: Record<string, string>;
}

export function configMap(namespace: string, name: string, data: Record<string, string>, labels?: Record<string, string>): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, labels }, data };
}

/** Retries `fn` through an apiserver restart (connection refused while it comes back). */
export async function eventually<T>(fn: () => Promise<T>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
