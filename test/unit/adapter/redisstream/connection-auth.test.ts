/**
 * The Redis connection's auth and TLS decisions: which CA applies (tls.enable or a rediss:// address), SNI only
 * for host names, and what a connection error tells the operator to fix.
 */
import { describe, expect, it } from 'vitest';
import { parseRedisStreamRoleConfig } from '../../../../adapter/redisstream/config.js';
import { describeRedisFailure, redisOptions } from '../../../../adapter/redisstream/connection.js';

const base = { namespace: 'ns', name: 'src' };

describe('redisstream TLS and password config', () => {
  it('uses REDIS_TLS_CA for a rediss:// address without tls.enable, and for tls.enable with host:port', () => {
    const secrets = { REDIS_PASSWORD: 'pw', REDIS_TLS_CA: 'CA PEM' };
    const url = parseRedisStreamRoleConfig({ ...base, secrets, sourceConfig: { address: 'rediss://redis.example:6380', stream: 's' } }, 'pod');
    expect(url.connection).toEqual({ address: 'rediss://redis.example:6380', password: 'pw', tls: true, tlsCa: 'CA PEM' });
    const enabled = parseRedisStreamRoleConfig({ ...base, secrets, sourceConfig: { address: 'redis.example:6380', stream: 's', tls: { enable: true } } }, 'pod');
    expect(enabled.connection).toEqual({ address: 'redis.example:6380', password: 'pw', tls: true, tlsCa: 'CA PEM' });
    const plain = parseRedisStreamRoleConfig({ ...base, secrets, sourceConfig: { address: 'redis.example:6379', stream: 's' } }, 'pod');
    expect(plain.connection).toEqual({ address: 'redis.example:6379', password: 'pw' });
  });

  it('sends SNI for a host name only (an IP is checked against the IP SAN)', () => {
    expect(redisOptions({ address: 'redis.example:6380', tls: true, tlsCa: 'CA' }).tls).toEqual({ ca: 'CA', servername: 'redis.example' });
    expect(redisOptions({ address: '127.0.0.1:6380', tls: true, tlsCa: 'CA' }).tls).toEqual({ ca: 'CA' });
    expect(redisOptions({ address: 'rediss://[::1]:6380' }).tls).toEqual({});
  });
});

describe('describeRedisFailure', () => {
  it('an untrusted server certificate is fatal and names REDIS_TLS_CA', () => {
    const err = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    expect(describeRedisFailure(err)).toMatchObject({ fatal: true, fix: expect.stringContaining('REDIS_TLS_CA') });
  });

  it('a refused password names the secret variables and is not fatal (ioredis already fails the command)', () => {
    for (const message of ['WRONGPASS invalid username-password pair or user is disabled.', 'NOAUTH Authentication required.']) {
      expect(describeRedisFailure(new Error(message))).toMatchObject({ fatal: false, fix: expect.stringMatching(/REDIS_PASSWORD.*BUS_REDIS_PASSWORD/) });
    }
  });

  it('an unreachable server is retried', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(describeRedisFailure(err)).toMatchObject({ fatal: false, fix: expect.stringContaining('retrying') });
  });
});
