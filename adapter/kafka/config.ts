/**
 * The KafkaSource spec (K_SOURCE_CONFIG) and the mounted secrets → what the Kafka role needs. The webhook
 * already validated the spec; this re-checks what the adapter relies on, so a hand-run adapter with a bad
 * env fails with a message naming the field.
 */
import { ConfigError } from '../../lib/errors.js';
import type { AdapterConfig } from '../runtime/config.js';
import type { Ordering } from './batch-consumer.js';
import type { KafkaSecurity } from './client.js';

export interface KafkaRoleConfig {
  bootstrapServers: string[];
  topics: string[];
  groupId: string;
  fromBeginning: boolean;
  ordering: Ordering;
  security: KafkaSecurity;
  namespace: string;
  name: string;
}

const variable = 'K_SOURCE_CONFIG';
const topicPattern = /^[a-zA-Z0-9._-]{1,249}$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, field: string, what: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string' && s.length > 0)) {
    throw new ConfigError(variable, `${field} must be a non-empty list of ${what}`, `Set ${field}.`);
  }
  return v as string[];
}

/** Default group when the controller did not set one: stable for the source, so offsets survive restarts. */
export function defaultGroupId(namespace: string, name: string): string {
  return `headwater-kafkasource-${namespace}-${name}`;
}

export function parseKafkaRoleConfig(cfg: Pick<AdapterConfig, 'sourceConfig' | 'namespace' | 'name' | 'secrets'>): KafkaRoleConfig {
  const spec = cfg.sourceConfig;
  if (!isRecord(spec)) throw new ConfigError(variable, 'must be the KafkaSource spec as a JSON object', 'Set K_SOURCE_CONFIG.');
  if (cfg.namespace === undefined || cfg.name === undefined) {
    throw new ConfigError('NAMESPACE', 'NAMESPACE and NAME must be set for the kafka role', 'Set them to the KafkaSource namespace and name.');
  }
  const bootstrapServers = stringList(spec.bootstrapServers, 'bootstrapServers', 'host:port strings');
  const topics = stringList(spec.topics, 'topics', 'topic names');
  for (const t of topics) {
    if (!topicPattern.test(t)) throw new ConfigError(variable, `topics: ${JSON.stringify(t)} is not a Kafka topic name`, 'Use letters, digits, . _ and -.');
  }
  const groupId = spec.consumerGroup === undefined ? defaultGroupId(cfg.namespace, cfg.name) : spec.consumerGroup;
  if (typeof groupId !== 'string' || groupId === '') {
    throw new ConfigError(variable, 'consumerGroup must be a non-empty string', 'Set consumerGroup or leave it out.');
  }
  const initialOffset = spec.initialOffset ?? 'latest';
  if (initialOffset !== 'earliest' && initialOffset !== 'latest') {
    throw new ConfigError(variable, `initialOffset ${JSON.stringify(initialOffset)} is not earliest or latest`, 'Use "earliest" or "latest".');
  }
  const ordering = spec.ordering ?? 'ordered';
  if (ordering !== 'ordered' && ordering !== 'unordered') {
    throw new ConfigError(variable, `ordering ${JSON.stringify(ordering)} is not ordered or unordered`, 'Use "ordered" or "unordered".');
  }
  return {
    bootstrapServers,
    topics,
    groupId,
    fromBeginning: initialOffset === 'earliest',
    ordering,
    security: parseSecurity(spec.net, cfg.secrets),
    namespace: cfg.namespace,
    name: cfg.name,
  };
}

function parseSecurity(net: unknown, secrets: AdapterConfig['secrets']): KafkaSecurity {
  if (net === undefined) return {};
  if (!isRecord(net)) throw new ConfigError(variable, 'net must be an object', 'Give net.sasl and/or net.tls.');
  const out: KafkaSecurity = {};
  const sasl = net.sasl;
  if (isRecord(sasl) && sasl.enable === true) {
    const type = sasl.type ?? 'PLAIN';
    const mechanisms = { PLAIN: 'plain', 'SCRAM-SHA-256': 'scram-sha-256', 'SCRAM-SHA-512': 'scram-sha-512' } as const;
    if (typeof type !== 'string' || !(type in mechanisms)) {
      throw new ConfigError(variable, `net.sasl.type ${JSON.stringify(type)} is not supported`, 'Use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.');
    }
    const username = secrets.KAFKA_SASL_USER;
    const password = secrets.KAFKA_SASL_PASSWORD;
    if (!username || !password) {
      throw new ConfigError('KAFKA_SASL_USER', 'SASL is enabled but KAFKA_SASL_USER or KAFKA_SASL_PASSWORD is empty', 'Check the secrets net.sasl.user and net.sasl.password refer to.');
    }
    out.sasl = { mechanism: mechanisms[type as keyof typeof mechanisms], username, password };
  }
  const tls = net.tls;
  if (isRecord(tls) && tls.enable === true) {
    const ca = secrets.KAFKA_TLS_CA;
    const cert = secrets.KAFKA_TLS_CERT;
    const key = secrets.KAFKA_TLS_KEY;
    if ((cert && !key) || (key && !cert)) {
      throw new ConfigError('KAFKA_TLS_CERT', 'a client certificate needs both KAFKA_TLS_CERT and KAFKA_TLS_KEY', 'Set net.tls.cert and net.tls.key together.');
    }
    out.tls = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  }
  return out;
}
