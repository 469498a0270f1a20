/**
 * Processes of a runner that was killed hard (SIGKILL, a crashed test worker) outlive it, since each
 * leads its own process group, and would keep their Pod addresses busy. Every started process leaves
 * a record here; a new runner with the same state folder kills whatever of them still runs, but only
 * when /proc shows the very command line it recorded (a pid reused by something else is left alone).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../lib/log.js';

interface ProcessRecord {
  pid: number;
  argv: string[];
}

function recordPath(dir: string, pid: number): string {
  return join(dir, `${pid}.json`);
}

export function recordProcess(dir: string, pid: number, argv: string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(recordPath(dir, pid), JSON.stringify({ pid, argv } satisfies ProcessRecord));
}

export function forgetProcess(dir: string, pid: number): void {
  rmSync(recordPath(dir, pid), { force: true });
}

function cmdline(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return undefined;
  }
}

/** Kills the recorded processes that still run; returns their pids. */
export function reapOrphans(dir: string, log: Logger): number[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const killed: number[] = [];
  for (const f of files) {
    const path = join(dir, f);
    try {
      const rec = JSON.parse(readFileSync(path, 'utf8')) as ProcessRecord;
      const live = cmdline(rec.pid);
      if (live && live.join('\0') === rec.argv.join('\0')) {
        process.kill(-rec.pid, 'SIGKILL');
        killed.push(rec.pid);
      }
    } catch (err) {
      log.warn('orphan record unreadable', { path, err });
    }
    rmSync(path, { force: true });
  }
  if (killed.length > 0) log.info('killed processes left by a previous runner', { pids: killed });
  return killed;
}
