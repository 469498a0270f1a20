/**
 * Reading the samples: every YAML document of a file, as plain objects (the same files `kubectl apply -f`
 * takes). Used by the demo and by the e2e tests, so both run exactly what a user reads in samples/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './localize.js';

export const repoRoot: string = join(import.meta.dirname, '..', '..', ...(import.meta.dirname.includes('/dist/') ? ['..'] : []));

function isKubeObject(v: unknown): v is KubeObject {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const meta = o.metadata as Record<string, unknown> | undefined;
  return typeof o.apiVersion === 'string' && typeof o.kind === 'string' && typeof meta?.name === 'string';
}

/** The objects of one manifest file, relative to the checkout (e.g. `samples/sources/cronsource.yaml`). */
export function readManifest(relativePath: string): KubeObject[] {
  const text = readFileSync(join(repoRoot, relativePath), 'utf8');
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`${relativePath}: ${doc.errors[0]?.message ?? 'YAML error'}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value)) throw new Error(`${relativePath}: a document is not a Kubernetes object (apiVersion, kind, metadata.name)`);
    out.push(value);
  }
  return out;
}

/** The one object of a single-object manifest. */
export function readOne(relativePath: string): KubeObject {
  const [first, ...more] = readManifest(relativePath);
  if (!first || more.length > 0) throw new Error(`${relativePath}: expected exactly one object`);
  return first;
}
