/**
 * The RedisStreamSource spec (K_SOURCE_CONFIG) and its secrets (REDIS_PASSWORD, REDIS_TLS_CA) → what the
 * redisstream role needs, or a ConfigError naming the field.
 */
import { hostname } from 'node:os';
import { ConfigError } from '../../lib/errors.js';
import type { AdapterConfig } from '../runtime/config.js';
import type { RedisConnectionConfig } from './connection.js';

export interface RedisStreamRoleConfig {
  connection: RedisConnectionConfig;
  stream: string;
  group: string;
  consumers: number;
  /** Consumer names in the group: `{pod}-{i}`, stable across restarts of the same pod. */
  consumerNames: string[];
  namespace: string;
  name: string;
}

const variable = 'K_SOURCE_CONFIG';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function defaultGroup(namespace: string, name: string): string {
  return `headwater-redisstreamsource-${namespace}-${name}`;
}

export function parseRedisStreamRoleConfig(
  cfg: Pick<AdapterConfig, 'sourceConfig' | 'namespace' | 'name' | 'secrets'>,
  podName: string = process.env.HOSTNAME || hostname(),
): RedisStreamRoleConfig {
  const spec = cfg.sourceConfig;
  if (!isRecord(spec)) throw new ConfigError(variable, 'must be the RedisStreamSource spec as a JSON object', 'Set K_SOURCE_CONFIG.');
  if (cfg.namespace === undefined || cfg.name === undefined) {
    throw new ConfigError('NAMESPACE', 'NAMESPACE and NAME must be set for the redisstream role', 'Set them to the RedisStreamSource namespace and name.');
  }
  if (typeof spec.address !== 'string' || spec.address === '') {
    throw new ConfigError(variable, 'address must be host:port or a redis:// URL', 'Set address.');
  }
  if (typeof spec.stream !== 'string' || spec.stream === '') throw new ConfigError(variable, 'stream must be a non-empty string', 'Set stream.');
  const group = spec.group ?? defaultGroup(cfg.namespace, cfg.name);
  if (typeof group !== 'string' || group === '') throw new ConfigError(variable, 'group must be a non-empty string', 'Set group or leave it out.');
  const consumers = spec.consumers ?? 1;
  if (typeof consumers !== 'number' || !Number.isInteger(consumers) || consumers < 1 || consumers > 100) {
    throw new ConfigError(variable, `consumers must be a whole number from 1 to 100, got ${JSON.stringify(consumers)}`, 'Set consumers: 1.');
  }
  // TLS is asked for by tls.enable or by a rediss:// address; either way the CA from tls.caCert must be used
  // (it used to be dropped for rediss:// without tls.enable, so the server's certificate was checked against
  // the system roots only).
  const tls = (isRecord(spec.tls) && spec.tls.enable === true) || /^rediss:\/\//i.test(spec.address);
  const connection: RedisConnectionConfig = {
    address: spec.address,
    ...(cfg.secrets.REDIS_PASSWORD ? { password: cfg.secrets.REDIS_PASSWORD } : {}),
    ...(tls ? { tls: true } : {}),
    ...(tls && cfg.secrets.REDIS_TLS_CA ? { tlsCa: cfg.secrets.REDIS_TLS_CA } : {}),
  };
  return {
    connection,
    stream: spec.stream,
    group,
    consumers,
    consumerNames: Array.from({ length: consumers }, (_, i) => `${podName}-${i}`),
    namespace: cfg.namespace,
    name: cfg.name,
  };
}
