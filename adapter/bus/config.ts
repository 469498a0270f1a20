/**
 * Parsing of the bus part of the env contract (`K_EVENT_BUS_CONFIG`, `K_TRIGGER_CONFIG.bus`): JSON in,
 * a typed BusConfig out, or a ConfigError that names the field and the fix. Secrets come from their own
 * variables (BUS_NATS_TOKEN, BUS_REDIS_PASSWORD), never from the JSON.
 */
import { ConfigError } from '../../lib/errors.js';
import type { BusBackend, BusConfig, BusTopicConfig } from './types.js';

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

/**
 * @param raw the already JSON-parsed object
 * @param where the path of `raw` inside the variable, for messages (`K_EVENT_BUS_CONFIG` or `bus`)
 */
export function parseBusConfig(
  raw: unknown,
  variable: string,
  env: Record<string, string | undefined> = process.env,
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
      return { backend, redis: { address, ...(password ? { password } : {}) } };
    }
    case 'kafka': {
      const servers = section.bootstrapServers;
      if (!Array.isArray(servers) || servers.length === 0 || !servers.every((s) => typeof s === 'string' && s.length > 0)) {
        throw new ConfigError(variable, `${at}.bootstrapServers must be a non-empty array of host:port strings`, 'List the Kafka brokers.');
      }
      return { backend, kafka: { bootstrapServers: servers as string[] } };
    }
  }
}

/** `K_EVENT_BUS_CONFIG`: a BusConfig plus the topic this source publishes to. */
export function parseBusTopicConfig(raw: unknown, variable = 'K_EVENT_BUS_CONFIG', env: Record<string, string | undefined> = process.env): BusTopicConfig {
  const bus = parseBusConfig(raw, variable, env);
  const topic = validateTopic((raw as Record<string, unknown>).topic, 'config.topic', variable);
  return { ...bus, topic };
}
