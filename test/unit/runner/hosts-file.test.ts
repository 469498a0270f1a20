import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replaceBlock, serviceHostNames, writeHostsBlock } from '../../../hack/runner/hosts-file.js';

const base = '127.0.0.1 localhost\n::1 localhost\n';

describe('replaceBlock', () => {
  const n1 = { name: 'n1', pid: 101 };
  const n2 = { name: 'n2', pid: 202 };

  it('adds, replaces and removes only its own block', () => {
    const one = replaceBlock(base, n1, [{ ip: '127.43.0.1', names: serviceHostNames('sink', 'demo') }]);
    expect(one).toBe(`${base}# BEGIN headwater-runner n1 pid 101\n127.43.0.1\tsink.demo.svc.cluster.local sink.demo.svc\n# END headwater-runner n1\n`);
    const two = replaceBlock(one, n2, [{ ip: '127.53.0.1', names: ['x.y.svc.cluster.local'] }]);
    const replaced = replaceBlock(two, n1, [{ ip: '127.43.0.2', names: ['sink.demo.svc.cluster.local'] }]);
    expect(replaced).toContain('127.43.0.2\tsink.demo.svc.cluster.local');
    expect(replaced).not.toContain('127.43.0.1');
    expect(replaced).toContain('127.53.0.1\tx.y.svc.cluster.local');
    const removed = replaceBlock(replaceBlock(replaced, n1, []), n2, []);
    expect(removed).toBe(base);
  });

  it('drops the block of a runner that died without cleaning up', () => {
    const left = replaceBlock(base, n2, [{ ip: '127.53.0.1', names: ['x.y.svc.cluster.local'] }]);
    const next = replaceBlock(left, n1, [{ ip: '127.43.0.1', names: ['a.b.svc.cluster.local'] }], (pid) => pid !== 202);
    expect(next).not.toContain('n2');
    expect(next).not.toContain('127.53.0.1');
    expect(next).toContain('127.43.0.1\ta.b.svc.cluster.local');
    // Alive: kept.
    expect(replaceBlock(left, n1, [], () => true)).toBe(left);
  });
});

describe('writeHostsBlock', () => {
  it('writes its block in place, takes over a stale lock, and removes the block again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-hosts-'));
    const path = join(dir, 'hosts');
    writeFileSync(path, base);
    // A lock left behind by a runner that was killed long ago.
    writeFileSync(`${path}.headwater.lock`, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${path}.headwater.lock`, old, old);
    await writeHostsBlock(path, 'n1', [{ ip: '127.43.0.9', names: ['a.b.svc.cluster.local'] }]);
    expect(readFileSync(path, 'utf8')).toContain('127.43.0.9\ta.b.svc.cluster.local');
    expect(existsSync(`${path}.headwater.lock`)).toBe(false);
    await writeHostsBlock(path, 'n1', []);
    expect(readFileSync(path, 'utf8')).toBe(base);
  });
});
