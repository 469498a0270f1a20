/**
 * Redis connections for stream reading and the Redis bus. `address` is `host:port` (Knative's form) or a
 * `redis://` / `rediss://` URL. RESP2 is forced: the stream reply parsers read the RESP2 array shapes.
 * Connection errors go to our JSON log with what to fix (ioredis would print bare stack traces on stderr).
 */
import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../../lib/errors.js';
import { createLogger, type Logger } from '../../lib/log.js';

export interface RedisConnectionConfig {
  address: string;
  password?: string;
  /** PEM CA bundle; its presence (or a rediss:// URL) turns TLS on. */
  tlsCa?: string;
  tls?: boolean;
}

export function redisOptions(cfg: RedisConnectionConfig, field = 'address'): RedisOptions {
  const base: RedisOptions = {
    protocol: 2,
    // Commands wait through a reconnect instead of failing after 20 tries: the read loop has its own backoff.
    maxRetriesPerRequest: null,
    enableAutoPipelining: false,
    ...(cfg.password ? { password: cfg.password } : {}),
  };
  let host: string;
  let port = 6379;
  let tls = cfg.tls === true || cfg.tlsCa !== undefined;
  if (/^rediss?:\/\//.test(cfg.address)) {
    let url: URL;
    try {
      url = new URL(cfg.address);
    } catch (cause) {
      throw new ConfigError(field, `${JSON.stringify(cfg.address)} is not a valid redis URL`, 'Use host:port or redis://host:port', { cause });
    }
    // URL keeps an IPv6 literal's brackets; sockets and TLS want the bare address.
    host = url.hostname.replace(/^\[|\]$/g, '');
    if (url.port) port = Number(url.port);
    if (url.protocol === 'rediss:') tls = true;
    if (url.username) base.username = decodeURIComponent(url.username);
    if (url.password && !cfg.password) base.password = decodeURIComponent(url.password);
    const db = url.pathname.replace(/^\//, '');
    if (db) base.db = Number(db);
  } else {
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(cfg.address.trim());
    if (!m) throw new ConfigError(field, `${JSON.stringify(cfg.address)} is not host:port`, 'Use host:port or redis://host:port');
    host = m[1]!.replace(/^\[|\]$/g, '');
    if (m[2]) port = Number(m[2]);
  }
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new ConfigError(field, `port ${port} is out of range`, 'Use a port between 1 and 65535');
  }
  // SNI carries host names only: Node ignores an IP there (with a deprecation warning) and checks the IP SAN.
  const servername = isIP(host) === 0 ? { servername: host } : {};
  return { ...base, host, port, ...(tls ? { tls: { ...(cfg.tlsCa ? { ca: cfg.tlsCa } : {}), ...servername } } : {}) };
}

/** Node's codes for a server certificate that does not verify: retrying cannot fix these, the config can. */
const untrustedCertificateCodes = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export interface RedisFailure {
  /** What to fix, in words, for the log line. */
  fix: string;
  /** A configuration problem retrying cannot fix: at start-up, the connection gives up instead of retrying forever. */
  fatal: boolean;
}

/** Where the Redis secrets come from, for the fix hints: the env variables and the spec fields behind them. */
export interface RedisSecretNames {
  tlsCa: string;
  /** Where the CA is set in the spec, e.g. `spec.tls.caCert`. */
  tlsCaField: string;
  /** The password variable(s), as the hint should name them. */
  password: string;
}

export const redisSourceSecretNames: RedisSecretNames = {
  tlsCa: 'REDIS_TLS_CA',
  tlsCaField: 'spec.tls.caCert',
  password: 'REDIS_PASSWORD (BUS_REDIS_PASSWORD for an EventBus)',
};

export const redisBusSecretNames: RedisSecretNames = {
  tlsCa: 'BUS_REDIS_TLS_CA',
  tlsCaField: 'spec.redis.tls.caCert of the EventBus',
  password: 'BUS_REDIS_PASSWORD',
};

/** Decides what a connection error means for the operator. */
export function describeRedisFailure(err: unknown, names: RedisSecretNames = redisSourceSecretNames): RedisFailure {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const message = err instanceof Error ? err.message : String(err);
  if (untrustedCertificateCodes.has(code)) {
    return {
      fatal: true,
      fix: `the server's TLS certificate is not trusted: put the CA that signed it in ${names.tlsCa} (${names.tlsCaField}), and check the address names the server`,
    };
  }
  if (/^(WRONGPASS|NOAUTH)|invalid password/i.test(message)) {
    return { fatal: false, fix: `the server refused the credentials: check the password in the Secret behind ${names.password}` };
  }
  return { fatal: false, fix: 'cannot reach the server: check the address (and whether it expects TLS); retrying' };
}

/** How often the same connection error is logged again while ioredis keeps retrying. */
const repeatLogMs = 30_000;

export function connectRedis(
  cfg: RedisConnectionConfig,
  name: string,
  field = 'address',
  log: Logger = createLogger({ component: 'redis' }),
  names: RedisSecretNames = redisSourceSecretNames,
): Redis {
  const options = redisOptions(cfg, field);
  const redis = new Redis({ ...options, connectionName: name });
  const target = `${options.host}:${options.port}`;
  const lastLogged = new Map<string, number>();
  let everReady = false;
  redis.on('ready', () => {
    everReady = true;
  });
  redis.on('error', (err: unknown) => {
    const failure = describeRedisFailure(err, names);
    const giveUp = failure.fatal && !everReady;
    const key = err instanceof Error ? err.message : String(err);
    const now = Date.now();
    if (giveUp || now - (lastLogged.get(key) ?? 0) >= repeatLogMs) {
      lastLogged.set(key, now);
      (giveUp ? log.error : log.warn)(`redis connection failed: ${failure.fix}`, { target, tls: options.tls !== undefined, connection: name, err });
    }
    // Never connected and the config is wrong: stop, so the commands waiting on it fail and the adapter exits
    // with the reason above (a restart with the right Secret is the fix), rather than hang unready for ever.
    if (giveUp) redis.disconnect();
  });
  return redis;
}
