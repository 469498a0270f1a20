/**
 * Cluster-local Service names without cluster DNS: the runner keeps a marked block in /etc/hosts
 * that maps `NAME.NS.svc.cluster.local` (and `NAME.NS.svc`) to the Service's loopback address.
 * getaddrinfo reads the file on every lookup, so undici, curl and the tests all see the change at once.
 * Each runner owns only the block marked with its node name and removes it on exit; blocks whose
 * runner died without cleaning up are dropped by the next write of any runner.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { sleep } from '../../lib/backoff.js';

export interface HostEntry {
  ip: string;
  names: string[];
}

export interface BlockOwner {
  name: string;
  /** The runner's pid, written into the marker so a block left by a killed runner can be recognised. */
  pid: number;
}

const beginRe = /^# BEGIN headwater-runner (\S+)(?: pid (\d+))?$/;
const endRe = /^# END headwater-runner (\S+)$/;

/**
 * The file's text with this owner's block replaced (or removed when `entries` is empty), and the blocks
 * of runners that are no longer alive dropped (a SIGKILLed runner cannot clean up after itself). Pure:
 * liveness is asked of `isAlive`.
 */
export function replaceBlock(text: string, owner: BlockOwner, entries: readonly HostEntry[], isAlive: (pid: number) => boolean = () => true): string {
  const kept: string[] = [];
  let dropping: string | undefined;
  for (const line of text.split('\n')) {
    if (dropping !== undefined) {
      if (endRe.exec(line)?.[1] === dropping) dropping = undefined;
      continue;
    }
    const begin = beginRe.exec(line);
    if (begin) {
      const [, name, pid] = begin;
      if (name === owner.name || (pid !== undefined && !isAlive(Number(pid)))) {
        dropping = name;
        continue;
      }
    }
    kept.push(line);
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  if (entries.length > 0) {
    kept.push(`# BEGIN headwater-runner ${owner.name} pid ${owner.pid}`);
    for (const e of [...entries].sort((a, b) => a.names[0]!.localeCompare(b.names[0]!))) kept.push(`${e.ip}\t${e.names.join(' ')}`);
    kept.push(`# END headwater-runner ${owner.name}`);
  }
  return `${kept.join('\n')}\n`;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, just not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Names a Service answers to from anywhere on this machine. */
export function serviceHostNames(name: string, namespace: string, clusterDomain = 'cluster.local'): string[] {
  return [`${name}.${namespace}.svc.${clusterDomain}`, `${name}.${namespace}.svc`];
}

/**
 * Rewrites `path` in place so that a lookup reading it meanwhile never sees it empty or half old: one write of
 * the new text over the whole old length (a shorter text padded with blank lines, which lookups skip), then the
 * file cut to the new length. A plain `writeFileSync` truncates first: every lookup between its truncation and its
 * write found no entry at all (ENOTFOUND for a Service name in a CI run of test/e2e/samples/trigger.test.ts).
 */
export function rewriteInPlace(path: string, text: string): void {
  const fd = openSync(path, 'r+');
  try {
    const bytes = Buffer.from(text, 'utf8');
    const oldLength = fstatSync(fd).size;
    const padded = bytes.length >= oldLength ? bytes : Buffer.concat([bytes, Buffer.alloc(oldLength - bytes.length, '\n')]);
    for (let at = 0; at < padded.length; ) at += writeSync(fd, padded, at, padded.length - at, at);
    if (padded.length !== bytes.length) ftruncateSync(fd, bytes.length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Read-modify-write under a lock file: several runners (a test's and the shared one) may write their
 * blocks at the same time. The write is in place because /etc/hosts is often a bind mount that a
 * rename cannot replace.
 */
export async function writeHostsBlock(path: string, owner: string, entries: readonly HostEntry[]): Promise<void> {
  const self: BlockOwner = { name: owner, pid: process.pid };
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
    const after = replaceBlock(before, self, entries, processAlive);
    if (after !== before) rewriteInPlace(path, after);
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
