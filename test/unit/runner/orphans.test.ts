import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/log.js';
import { recordProcess, reapOrphans } from '../../../hack/runner/orphans.js';

const quiet = createLogger({}, { write: () => {} });

function startSleeper(): { pid: number; exited: Promise<NodeJS.Signals | null> } {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  return { pid: child.pid as number, exited };
}

describe('orphan reaper', () => {
  it('kills a recorded process that still runs the recorded command, and forgets the record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-orphans-'));
    const sleeper = startSleeper();
    recordProcess(dir, sleeper.pid, ['sleep', '300']);
    expect(reapOrphans(dir, quiet)).toEqual([sleeper.pid]);
    expect(await sleeper.exited).toBe('SIGKILL');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('leaves alone a pid whose command line differs (a reused pid)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-orphans-'));
    const sleeper = startSleeper();
    try {
      recordProcess(dir, sleeper.pid, ['node', 'something-else.js']);
      expect(reapOrphans(dir, quiet)).toEqual([]);
      expect(existsSync(`/proc/${sleeper.pid}`)).toBe(true);
    } finally {
      process.kill(-sleeper.pid, 'SIGKILL');
    }
  });
});
