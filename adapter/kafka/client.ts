/**
 * A kafkajs client from the source spec and the mounted secrets (KAFKA_SASL_USER, KAFKA_SASL_PASSWORD,
 * KAFKA_TLS_CA, KAFKA_TLS_CERT, KAFKA_TLS_KEY; BUS_KAFKA_* for the Kafka EventBus), with kafkajs' own logs routed
 * into our JSON logger, on sockets without Nagle's algorithm (socket.ts).
 */
import { Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';
import type { Logger } from '../../lib/log.js';
import { noDelaySocketFactory } from './socket.js';

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

/** Where the Kafka credentials come from, for the fix hints: the env variables and the spec fields behind them. */
export interface KafkaSecretNames {
  saslUser: string;
  saslPassword: string;
  tlsCa: string;
  tlsCert: string;
  tlsKey: string;
  /** The spec's `net`, e.g. `spec.net` (KafkaSource) or `spec.kafka.net` (EventBus). */
  net: string;
}

export const kafkaSourceSecretNames: KafkaSecretNames = {
  saslUser: 'KAFKA_SASL_USER',
  saslPassword: 'KAFKA_SASL_PASSWORD',
  tlsCa: 'KAFKA_TLS_CA',
  tlsCert: 'KAFKA_TLS_CERT',
  tlsKey: 'KAFKA_TLS_KEY',
  net: 'spec.net',
};

/**
 * What to fix when a kafkajs log line shows the broker refusing our credentials or TLS: kafkajs says what failed
 * ("unable to verify the first certificate"), not which secret to change. Undefined for anything else.
 */
export function kafkaSecurityHint(text: string, names: KafkaSecretNames = kafkaSourceSecretNames): string | undefined {
  if (/unable to verify|self[- ]signed certificate|unable to get (local )?issuer|certificate has expired|does not match certificate/i.test(text)) {
    return `the broker's TLS certificate is not trusted: put the CA that signed it in ${names.tlsCa} (${names.net}.tls.caCert)`;
  }
  if (/alert bad certificate|certificate required|alert unknown ca/i.test(text)) {
    return `the broker wants a client certificate it trusts: set ${names.tlsCert} and ${names.tlsKey} (${names.net}.tls.cert, ${names.net}.tls.key)`;
  }
  if (/SASL .*authentication failed|authentication failed .*SASL|invalid credentials/i.test(text)) {
    return `the broker refused the SASL login: check ${names.saslUser}, ${names.saslPassword} and ${names.net}.sasl.type`;
  }
  return undefined;
}

export function createKafkaClient(
  brokers: string[],
  clientId: string,
  security: KafkaSecurity,
  log: Logger,
  names: KafkaSecretNames = kafkaSourceSecretNames,
): Kafka {
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
      const fix = level === 'error' || level === 'warn' ? kafkaSecurityHint(`${message} ${String(fields.error ?? '')}`, names) : undefined;
      log[level](`kafkajs: ${message}`, { ...fields, kafkajsComponent: entry.namespace, ...(fix ? { fix } : {}) });
    },
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 30_000 },
    socketFactory: noDelaySocketFactory,
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
