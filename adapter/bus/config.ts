/**
 * Parsing of the bus part of the env contract (`K_EVENT_BUS_CONFIG`, `K_TRIGGER_CONFIG.bus`): JSON in,
 * a typed BusConfig out, or a ConfigError that names the field and the fix. Secrets come from their own
 * variables (BUS_NATS_TOKEN, BUS_REDIS_PASSWORD, BUS_REDIS_TLS_CA, BUS_KAFKA_SASL_USER, BUS_KAFKA_SASL_PASSWORD,
 * BUS_KAFKA_TLS_CA, BUS_KAFKA_TLS_CERT, BUS_KAFKA_TLS_KEY), never from the JSON; the JSON says what is switched on.
 */
import { ConfigError } from '../../lib/errors.js';
import type { KafkaSecurity } from '../kafka/client.js';
import type { BusBackend, BusConfig, BusTopicConfig } from './types.js';

type Env = Record<string, string | undefined>;

/** Kafka's topic alphabet is the narrowest of the three backends; a topic valid there is valid everywhere. */
const topicPattern = /^[a-zA-Z0-9._-]{1,249}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function requireString(obj: Record<string, unknown>, key: string, where: string, variable: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.length === 0) {
    throw new ConfigError(variable, `${where}.${key} must be a non-empty string, got ${JSON.stringify(v)}`, `Set ${where}.${key}.`);
  }
  return v;
}

export function validateTopic(topic: unknown, field: string, variable: string): string {
  if (typeof topic !== 'string' || !topicPattern.test(topic)) {
    throw new ConfigError(
      variable,
      `${field} must match ${topicPattern.source}, got ${JSON.stringify(topic)}`,
      'Use the {namespace}-{source} topic name the controller derives.',
    );
  }
  return topic;
}

function optionalSwitch(obj: Record<string, unknown>, at: string, variable: string): boolean {
  if (obj.enable === undefined) return false;
  if (typeof obj.enable !== 'boolean') {
    throw new ConfigError(variable, `${at}.enable must be true or false, got ${JSON.stringify(obj.enable)}`, `Set ${at}.enable to a boolean.`);
  }
  return obj.enable;
}

function optionalSection(obj: Record<string, unknown>, key: string, at: string, variable: string): Record<string, unknown> | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (!isRecord(v)) throw new ConfigError(variable, `${at}.${key} must be an object, got ${JSON.stringify(v)}`, `Give ${at}.${key} as an object or leave it out.`);
  return v;
}

const saslMechanisms = { PLAIN: 'plain', 'SCRAM-SHA-256': 'scram-sha-256', 'SCRAM-SHA-512': 'scram-sha-512' } as const;

/** The Kafka bus's `net` (what is on, which mechanism) joined with its secrets from the BUS_KAFKA_* variables. */
function parseKafkaBusSecurity(section: Record<string, unknown>, at: string, variable: string, env: Env): KafkaSecurity | undefined {
  const net = optionalSection(section, 'net', at, variable);
  if (net === undefined) return undefined;
  const out: KafkaSecurity = {};
  const sasl = optionalSection(net, 'sasl', `${at}.net`, variable);
  if (sasl !== undefined && optionalSwitch(sasl, `${at}.net.sasl`, variable)) {
    const type = sasl.type ?? 'PLAIN';
    if (typeof type !== 'string' || !Object.hasOwn(saslMechanisms, type)) {
      throw new ConfigError(variable, `${at}.net.sasl.type ${JSON.stringify(type)} is not supported`, 'Use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.');
    }
    const username = env.BUS_KAFKA_SASL_USER || undefined;
    const password = env.BUS_KAFKA_SASL_PASSWORD || undefined;
    for (const [name, value, field] of [['BUS_KAFKA_SASL_USER', username, 'user'], ['BUS_KAFKA_SASL_PASSWORD', password, 'password']] as const) {
      if (value === undefined) {
        throw new ConfigError(
          name,
          `is empty, but SASL is on (${at}.net.sasl.enable)`,
          `Check the Secret key that the EventBus's spec.kafka.net.sasl.${field} refers to.`,
        );
      }
    }
    out.sasl = { mechanism: saslMechanisms[type as keyof typeof saslMechanisms], username: username as string, password: password as string };
  }
  const tls = optionalSection(net, 'tls', `${at}.net`, variable);
  if (tls !== undefined && optionalSwitch(tls, `${at}.net.tls`, variable)) {
    const ca = env.BUS_KAFKA_TLS_CA || undefined;
    const cert = env.BUS_KAFKA_TLS_CERT || undefined;
    const key = env.BUS_KAFKA_TLS_KEY || undefined;
    if ((cert === undefined) !== (key === undefined)) {
      const [missing, field] = cert === undefined ? ['BUS_KAFKA_TLS_CERT', 'cert'] : ['BUS_KAFKA_TLS_KEY', 'key'];
      throw new ConfigError(
        missing,
        'is empty, but a client certificate needs both BUS_KAFKA_TLS_CERT and BUS_KAFKA_TLS_KEY',
        `Check the Secret key that the EventBus's spec.kafka.net.tls.${field} refers to.`,
      );
    }
    out.tls = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  }
  return out.sasl === undefined && out.tls === undefined ? undefined : out;
}

/**
 * @param raw the already JSON-parsed object
 * @param where the path of `raw` inside the variable, for messages (`K_EVENT_BUS_CONFIG` or `bus`)
 */
export function parseBusConfig(
  raw: unknown,
  variable: string,
  env: Env = process.env,
  where = 'config',
): BusConfig {
  if (!isRecord(raw)) {
    throw new ConfigError(variable, `${where} must be a JSON object`, 'Pass {"backend":"nats"|"redis"|"kafka", …}.');
  }
  const backend = raw.backend;
  if (backend !== 'nats' && backend !== 'redis' && backend !== 'kafka') {
    throw new ConfigError(
      variable,
      `${where}.backend must be one of nats, redis, kafka, got ${JSON.stringify(backend)}`,
      'Set backend to the EventBus backend.',
    );
  }
  const section = raw[backend];
  if (!isRecord(section)) {
    throw new ConfigError(variable, `${where}.${backend} must be an object for backend ${backend}`, `Add the ${backend} section.`);
  }
  const at = `${where}.${backend}`;
  switch (backend satisfies BusBackend) {
    case 'nats': {
      const url = requireString(section, 'url', at, variable);
      const stream = section.stream === undefined ? undefined : requireString(section, 'stream', at, variable);
      if (stream !== undefined && !/^[A-Za-z0-9_-]{1,255}$/.test(stream)) {
        throw new ConfigError(variable, `${at}.stream ${JSON.stringify(stream)} is not a valid JetStream stream name`, 'Use letters, digits, - and _ only.');
      }
      const token = env.BUS_NATS_TOKEN || undefined;
      return { backend, nats: { url, ...(stream ? { stream } : {}), ...(token ? { token } : {}) } };
    }
    case 'redis': {
      const address = requireString(section, 'address', at, variable);
      const password = env.BUS_REDIS_PASSWORD || undefined;
      const tlsSection = optionalSection(section, 'tls', at, variable);
      // As for the RedisStreamSource: TLS by tls.enable or by a rediss:// address, and the CA is used either way.
      const tls = (tlsSection !== undefined && optionalSwitch(tlsSection, `${at}.tls`, variable)) || /^rediss:\/\//i.test(address);
      const tlsCa = tls ? env.BUS_REDIS_TLS_CA || undefined : undefined;
      return { backend, redis: { address, ...(password ? { password } : {}), ...(tls ? { tls } : {}), ...(tlsCa ? { tlsCa } : {}) } };
    }
    case 'kafka': {
      const servers = section.bootstrapServers;
      if (!Array.isArray(servers) || servers.length === 0 || !servers.every((s) => typeof s === 'string' && s.length > 0)) {
        throw new ConfigError(variable, `${at}.bootstrapServers must be a non-empty array of host:port strings`, 'List the Kafka brokers.');
      }
      const security = parseKafkaBusSecurity(section, at, variable, env);
      return { backend, kafka: { bootstrapServers: servers as string[], ...(security ? { security } : {}) } };
    }
  }
}

/** `K_EVENT_BUS_CONFIG`: a BusConfig plus the topic this source publishes to. */
export function parseBusTopicConfig(raw: unknown, variable = 'K_EVENT_BUS_CONFIG', env: Env = process.env): BusTopicConfig {
  const bus = parseBusConfig(raw, variable, env);
  const topic = validateTopic((raw as Record<string, unknown>).topic, 'config.topic', variable);
  return { ...bus, topic };
}
