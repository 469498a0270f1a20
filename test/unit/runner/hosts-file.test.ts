import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { replaceBlock, rewriteInPlace, serviceHostNames, writeHostsBlock } from '../../../hack/runner/hosts-file.js';

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

describe('rewriteInPlace', () => {
  it('never shows a lookup reading at the same time an empty file or one without the lines it did not change', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-hosts-'));
    const path = join(dir, 'hosts');
    // Another runner's block, the same in every version: a reader must find it in every read.
    const kept = `${base}# BEGIN headwater-runner n2 pid 1\n127.53.0.1\tx.y.svc.cluster.local\n# END headwater-runner n2\n`;
    const long = kept + Array.from({ length: 40 }, (_, i) => `127.43.0.${i}\tname-${i}.ns.svc.cluster.local\n`).join('');
    const short = `${kept}127.43.0.1\tname-1.ns.svc.cluster.local\n`;
    writeFileSync(path, long);
    const stop = new Int32Array(new SharedArrayBuffer(4));
    // A thread of its own, so its reads interleave with the writes below as getaddrinfo's would.
    const reader = new Worker(
      `const { readFileSync } = require('node:fs');
       const { workerData: w, parentPort } = require('node:worker_threads');
       let reads = 0, missing = 0;
       parentPort.postMessage('reading');
       while (Atomics.load(w.stop, 0) === 0) { reads++; if (!readFileSync(w.path, 'utf8').startsWith(w.kept)) missing++; }
       parentPort.postMessage({ reads, missing });`,
      { eval: true, workerData: { path, kept, stop } },
    );
    const messages: unknown[] = [];
    const result = new Promise<{ reads: number; missing: number }>((resolve, reject) => {
      reader.on('message', (m) => {
        messages.push(m);
        if (typeof m === 'object') resolve(m as { reads: number; missing: number });
      });
      reader.once('error', reject);
    });
    while (messages.length === 0) await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 400; i++) {
      rewriteInPlace(path, i % 2 === 0 ? short : long);
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    Atomics.store(stop, 0, 1);
    const { reads, missing } = await result;
    await reader.terminate();
    expect(reads).toBeGreaterThan(100);
    expect(missing).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(long);
  });
});
