import { describe, expect, it } from 'vitest';
import { RunnerConfigError } from '../../../hack/runner/errors.js';
import { IpPool } from '../../../hack/runner/ip-pool.js';

describe('IpPool', () => {
  it('hands out distinct addresses, the same one again to the same owner, and reuses freed ones last', () => {
    const pool = new IpPool('127.9.0.0/30'); // usable: .1 and .2
    const a = pool.allocate('a');
    const b = pool.allocate('b');
    expect([a, b]).toEqual(['127.9.0.1', '127.9.0.2']);
    expect(pool.allocate('a')).toBe(a);
    expect(() => pool.allocate('c')).toThrow(RunnerConfigError);
    pool.release('a');
    expect(pool.allocate('c')).toBe(a);
  });

  it('never hands out 127.0.0.1 and rejects ranges outside loopback', () => {
    const pool = new IpPool('127.0.0.0/30');
    expect(pool.allocate('x')).toBe('127.0.0.2');
    expect(() => new IpPool('10.0.0.0/24')).toThrow(/not inside 127/);
    expect(() => new IpPool('127.0.0.0')).toThrow(RunnerConfigError);
  });

  it('reserve keeps a previous address for its owner only', () => {
    const pool = new IpPool('127.9.0.0/24');
    expect(pool.reserve('127.9.0.5', 'a')).toBe(true);
    expect(pool.reserve('127.9.0.5', 'b')).toBe(false);
    expect(pool.reserve('127.10.0.5', 'b')).toBe(false);
    expect(pool.allocate('a')).toBe('127.9.0.5');
  });
});
