/**
 * A kafkajs client from the source spec and the mounted secrets (KAFKA_SASL_USER, KAFKA_SASL_PASSWORD,
 * KAFKA_TLS_CA, KAFKA_TLS_CERT, KAFKA_TLS_KEY), with kafkajs' own logs routed into our JSON logger.
 */
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';
import type { Logger } from '../../lib/log.js';

export interface KafkaSecurity {
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
  tls?: { ca?: string; cert?: string; key?: string };
}

const levelNames: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafkaClient(brokers: string[], clientId: string, security: KafkaSecurity, log: Logger): Kafka {
  const cfg: KafkaConfig = {
    clientId,
    brokers,
    // kafkajs INFO is a line per group join/fetch; warnings and errors are what an operator needs.
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const level = levelNames[entry.level] ?? 'info';
      // kafkajs' own `namespace` (its component) would overwrite ours (the source's Kubernetes namespace), and its
      // timestamp/logger fields repeat what our line already has.
      const { message, timestamp: _ts, logger: _logger, namespace: _ns, ...fields } = entry.log;
      log[level](`kafkajs: ${message}`, { ...fields, kafkajsComponent: entry.namespace });
    },
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 30_000 },
  };
  if (security.tls) {
    const { ca, cert, key } = security.tls;
    cfg.ssl = ca || cert || key ? { ...(ca ? { ca: [ca] } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) } : true;
  }
  if (security.sasl) {
    const { mechanism, username, password } = security.sasl;
    cfg.sasl = { mechanism, username, password } as SASLOptions;
  }
  return new Kafka(cfg);
}
