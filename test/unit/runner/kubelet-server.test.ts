import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLogFile, tailLines } from '../../../hack/runner/kubelet-server.js';

describe('container logs', () => {
  it('tails the last lines, keeping a final newline', () => {
    expect(tailLines('a\nb\nc\n', 2)).toBe('b\nc\n');
    expect(tailLines('a\nb', 1)).toBe('b');
    expect(tailLines('a\n', 5)).toBe('a\n');
  });

  it("finds the newest log of a pod's container across uid folders", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-logs-'));
    for (const [uid, age] of [
      ['old', 60],
      ['new', 0],
    ] as const) {
      mkdirSync(join(dir, `ns_p_${uid}`));
      const f = join(dir, `ns_p_${uid}`, 'main.log');
      writeFileSync(f, uid);
      const t = new Date(Date.now() - age * 1000);
      utimesSync(f, t, t);
    }
    expect(findLogFile(dir, 'ns', 'p', 'main')).toBe(join(dir, 'ns_p_new', 'main.log'));
    expect(findLogFile(dir, 'ns', 'p', 'other')).toBeUndefined();
    expect(findLogFile(dir, 'ns', 'q', 'main')).toBeUndefined();
  });
});
