/**
 * "Does the bus backend answer?" behind an interface, so table tests fake it and integration tests use the
 * real one against real servers. Each probe is the cheapest exchange that proves a server of the right kind
 * is there: NATS sends INFO on connect (before any auth), Redis answers PING (NOAUTH also proves it is
 * Redis), Kafka answers a metadata request.
 */
import { connect as tcpConnect } from 'node:net';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import type { EventBusSpec } from '../../../api/index.js';
import { HeadwaterError } from '../../../lib/errors.js';

export class BusUnreachableError extends HeadwaterError {
  constructor(backend: string, address: string, problem: string, options?: { cause?: unknown }) {
    super('BusUnreachable', `${backend} at ${address}: ${problem}`, { backend, address }, options);
  }
}

export interface BusProber {
  /** Resolves when the backend answered; throws BusUnreachableError otherwise. */
  probe(spec: EventBusSpec): Promise<void>;
}

function hostPort(address: string, defaultPort: number): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:/]+)(?::(\d{1,5}))?$/.exec(address.trim());
  if (m === null) return { host: address, port: defaultPort };
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port: m[2] === undefined ? defaultPort : Number(m[2]) };
}

function probeNats(url: string, timeoutMs: number): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    return Promise.reject(new BusUnreachableError('nats', url, 'not a URL', { cause }));
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = parsed.port === '' ? 4222 : Number(parsed.port);
  return new Promise((resolve, reject) => {
    // NATS writes INFO in plain text before any TLS upgrade, so a TCP socket is enough even for tls:// URLs.
    const socket = tcpConnect({ host, port });
    let buffered = '';
    const done = (err?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (err === undefined) resolve();
      else reject(err);
    };
    const timer = setTimeout(() => done(new BusUnreachableError('nats', url, `no INFO within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      if (buffered.startsWith('INFO ')) done();
      else if (buffered.length >= 5) done(new BusUnreachableError('nats', url, `answered ${JSON.stringify(buffered.slice(0, 40))}, not a NATS INFO`));
    });
    socket.on('error', (err) => done(new BusUnreachableError('nats', url, err.message, { cause: err })));
    socket.on('close', () => done(new BusUnreachableError('nats', url, 'closed the connection before INFO')));
  });
}

async function probeRedis(address: string, timeoutMs: number): Promise<void> {
  let host: string;
  let port: number;
  let tls = false;
  if (/^rediss?:\/\//.test(address)) {
    const url = new URL(address);
    host = url.hostname;
    port = url.port === '' ? 6379 : Number(url.port);
    tls = url.protocol === 'rediss:';
  } else ({ host, port } = hostPort(address, 6379));
  const redis = new Redis({
    host,
    port,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    ...(tls ? { tls: { servername: host } } : {}),
  });
  redis.on('error', () => {}); // surfaced through the awaited calls below
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // A password-protected Redis refuses PING but has proven it is a Redis server that answers.
    if (/NOAUTH|WRONGPASS|NOPERM/.test(message)) return;
    throw new BusUnreachableError('redis', address, message, { cause: err });
  } finally {
    redis.disconnect();
  }
}

async function probeKafka(bootstrapServers: string[], timeoutMs: number): Promise<void> {
  const kafka = new Kafka({
    clientId: 'headwater-controller-probe',
    brokers: bootstrapServers,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (err) {
    throw new BusUnreachableError('kafka', bootstrapServers.join(','), err instanceof Error ? err.message : String(err), { cause: err });
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export function networkBusProber(timeoutMs = 3000): BusProber {
  return {
    async probe(spec) {
      if (spec.nats !== undefined) return probeNats(spec.nats.url, timeoutMs);
      if (spec.redis !== undefined) return probeRedis(spec.redis.address, timeoutMs);
      if (spec.kafka !== undefined) return probeKafka(spec.kafka.bootstrapServers, timeoutMs);
      throw new BusUnreachableError('none', '-', 'no backend is set; set one of spec.nats, spec.redis, spec.kafka');
    },
  };
}
