import { describe, expect, it } from 'vitest';
import { replaceBlock, serviceHostNames } from '../../../hack/runner/hosts-file.js';

const base = '127.0.0.1 localhost\n::1 localhost\n';

describe('replaceBlock', () => {
  it('adds, replaces and removes only its own block', () => {
    const one = replaceBlock(base, 'n1', [{ ip: '127.43.0.1', names: serviceHostNames('sink', 'demo') }]);
    expect(one).toBe(`${base}# BEGIN headwater-runner n1\n127.43.0.1\tsink.demo.svc.cluster.local sink.demo.svc\n# END headwater-runner n1\n`);
    const two = replaceBlock(one, 'n2', [{ ip: '127.53.0.1', names: ['x.y.svc.cluster.local'] }]);
    const replaced = replaceBlock(two, 'n1', [{ ip: '127.43.0.2', names: ['sink.demo.svc.cluster.local'] }]);
    expect(replaced).toContain('127.43.0.2\tsink.demo.svc.cluster.local');
    expect(replaced).not.toContain('127.43.0.1');
    expect(replaced).toContain('127.53.0.1\tx.y.svc.cluster.local');
    const removed = replaceBlock(replaceBlock(replaced, 'n1', []), 'n2', []);
    expect(removed).toBe(base);
  });
});
