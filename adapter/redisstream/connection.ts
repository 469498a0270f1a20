/**
 * Redis connections for stream reading and the Redis bus. `address` is `host:port` (Knative's form) or a
 * `redis://` / `rediss://` URL. RESP2 is forced: the stream reply parsers read the RESP2 array shapes.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../../lib/errors.js';

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
    host = url.hostname;
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
  return { ...base, host, port, ...(tls ? { tls: cfg.tlsCa ? { ca: cfg.tlsCa, servername: host } : { servername: host } } : {}) };
}

export function connectRedis(cfg: RedisConnectionConfig, name: string, field = 'address'): Redis {
  return new Redis({ ...redisOptions(cfg, field), connectionName: name });
}
