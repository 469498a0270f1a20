/**
 * Cluster-local Service names without cluster DNS: the runner keeps a marked block in /etc/hosts
 * that maps `NAME.NS.svc.cluster.local` (and `NAME.NS.svc`) to the Service's loopback address.
 * getaddrinfo reads the file on every lookup, so undici, curl and the tests all see the change at once.
 * Each runner owns only the block marked with its node name and removes it on exit.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { sleep } from '../../lib/backoff.js';

export interface HostEntry {
  ip: string;
  names: string[];
}

function markers(owner: string): { begin: string; end: string } {
  return { begin: `# BEGIN headwater-runner ${owner}`, end: `# END headwater-runner ${owner}` };
}

/** The file's text with this owner's block replaced (or removed when `entries` is empty). Pure. */
export function replaceBlock(text: string, owner: string, entries: readonly HostEntry[]): string {
  const { begin, end } = markers(owner);
  const lines = text.split('\n');
  const kept: string[] = [];
  let inside = false;
  for (const line of lines) {
    if (line === begin) inside = true;
    else if (line === end) inside = false;
    else if (!inside) kept.push(line);
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  if (entries.length > 0) {
    kept.push(begin);
    for (const e of [...entries].sort((a, b) => a.names[0]!.localeCompare(b.names[0]!))) kept.push(`${e.ip}\t${e.names.join(' ')}`);
    kept.push(end);
  }
  return `${kept.join('\n')}\n`;
}

/** Names a Service answers to from anywhere on this machine. */
export function serviceHostNames(name: string, namespace: string, clusterDomain = 'cluster.local'): string[] {
  return [`${name}.${namespace}.svc.${clusterDomain}`, `${name}.${namespace}.svc`];
}

/**
 * Read-modify-write under a lock file: several runners (a test's and the shared one) may write their
 * blocks at the same time. The write is in place because /etc/hosts is often a bind mount that a
 * rename cannot replace.
 */
export async function writeHostsBlock(path: string, owner: string, entries: readonly HostEntry[]): Promise<void> {
  const lock = `${path}.headwater.lock`;
  let fd: number | undefined;
  for (let i = 0; i < 100 && fd === undefined; i++) {
    try {
      fd = openSync(lock, 'wx');
    } catch {
      // A lock left by a killed runner must not wedge every other one: one older than 10 s is stale.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 10_000) unlinkSync(lock);
      } catch {
        // Released meanwhile.
      }
      await sleep(20);
    }
  }
  // Still no lock after ~2 s: write anyway; a lost update is repaired by the next sync.
  try {
    const before = readFileSync(path, 'utf8');
    const after = replaceBlock(before, owner, entries);
    if (after !== before) writeFileSync(path, after);
  } finally {
    if (fd !== undefined) {
      closeSync(fd);
      try {
        unlinkSync(lock);
      } catch {
        // Someone who took over a stale lock removed it already.
      }
    }
  }
}
