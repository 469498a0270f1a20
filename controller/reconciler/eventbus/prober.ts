/**
 * "Does the bus backend answer?" behind an interface, so table tests fake it and integration tests use the
 * real one against real servers. Each probe is the cheapest exchange that proves a server of the right kind
 * is there, and none needs the bus's credentials (the controller reads no Secrets): NATS sends INFO on connect
 * (before any auth), Redis answers PING (NOAUTH also proves it is Redis), Kafka answers ApiVersions (before
 * SASL). Over TLS the server certificate is not verified here — the CA is in a Secret too; the adapters verify
 * it — and a Kafka listener that asks for the client certificate the adapters will show counts as an answer.
 */
import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Redis } from 'ioredis';
import type { EventBusSpec } from '../../../api/index.js';
import { HeadwaterError } from '../../../lib/errors.js';
import { busSecrets, redisBusTls } from '../shared/bus.js';
import { apiVersionsRequest, readApiVersionsResponse } from './kafka-api-versions.js';

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

async function probeRedis(redisSpec: NonNullable<EventBusSpec['redis']>, timeoutMs: number): Promise<void> {
  const { address } = redisSpec;
  const tls = redisBusTls(redisSpec);
  let host: string;
  let port: number;
  if (/^rediss?:\/\//.test(address)) {
    const url = new URL(address);
    host = url.hostname.replace(/^\[|\]$/g, '');
    port = url.port === '' ? 6379 : Number(url.port);
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
    // Not verified: the CA is in a Secret the controller does not read (the adapters verify it).
    ...(tls ? { tls: { rejectUnauthorized: false, ...(isIP(host) === 0 ? { servername: host } : {}) } } : {}),
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

/** TLS alerts of a server that wants a client certificate (TLS 1.3 `certificate_required`, 1.2 `bad_certificate`). */
const clientCertificateWanted = /ALERT_CERTIFICATE_REQUIRED|ALERT_BAD_CERTIFICATE|alert certificate required|alert bad certificate|ALERT_HANDSHAKE_FAILURE/i;

function probeKafkaBroker(broker: string, kafkaSpec: NonNullable<EventBusSpec['kafka']>, timeoutMs: number): Promise<void> {
  const { host, port } = hostPort(broker, 9092);
  const tls = kafkaSpec.net?.tls?.enable === true;
  const showsClientCert = tls && kafkaSpec.net?.tls?.cert !== undefined;
  const correlationId = 0x4877; // any: the answer must carry it back
  return new Promise((resolve, reject) => {
    const socket: Socket = tls
      ? tlsConnect({ host, port, rejectUnauthorized: false, ...(isIP(host) === 0 ? { servername: host } : {}) })
      : tcpConnect({ host, port });
    let buffered = Buffer.alloc(0);
    let settled = false;
    const done = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err === undefined) resolve();
      else reject(err);
    };
    const fail = (problem: string, cause?: unknown): void =>
      done(new BusUnreachableError('kafka', broker, problem, cause === undefined ? undefined : { cause }));
    const timer = setTimeout(() => fail(`no ApiVersions answer within ${timeoutMs} ms`), timeoutMs);
    let connected = false;
    socket.once(tls ? 'secureConnect' : 'connect', () => {
      connected = true;
      socket.write(apiVersionsRequest(correlationId, 'headwater-controller-probe'));
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const reading = readApiVersionsResponse(buffered, correlationId);
      if (reading.state === 'kafka') done();
      else if (reading.state === 'not-kafka') fail(reading.reason.startsWith('answered in TLS') ? reading.reason : `${reading.reason}; is this a Kafka listener?`);
    });
    socket.on('error', (err: Error & { code?: string }) => {
      const text = `${err.code ?? ''} ${err.message}`;
      if (tls && clientCertificateWanted.test(text)) {
        // The handshake reached a TLS server that asks for a client certificate: the adapters show the one in
        // spec.kafka.net.tls.cert; the controller has none to show.
        if (showsClientCert) done();
        else fail(`${err.message}: the broker wants a client certificate; set spec.kafka.net.tls.cert and spec.kafka.net.tls.key`, err);
        return;
      }
      // A refused or unreachable port fails before any handshake; a plaintext listener breaks the handshake off.
      const handshakeBroken = tls && !connected && err.code !== 'ECONNREFUSED' && err.code !== 'EHOSTUNREACH' && err.code !== 'ENOTFOUND';
      fail(handshakeBroken ? `${err.message}: TLS is on (spec.kafka.net.tls.enable) but the listener does not speak TLS` : err.message, err);
    });
    socket.on('close', () =>
      fail(
        tls
          ? connected
            ? 'closed the connection before answering ApiVersions'
            : 'closed the connection during the TLS handshake: TLS is on (spec.kafka.net.tls.enable) but the listener does not speak TLS'
          : 'closed the connection before answering ApiVersions; a TLS listener does this to a plaintext client (set spec.kafka.net.tls.enable)',
      ),
    );
  });
}

/** The first bootstrap server that answers is enough; the error names every one that did not. */
async function probeKafka(kafkaSpec: NonNullable<EventBusSpec['kafka']>, timeoutMs: number): Promise<void> {
  const problems: string[] = [];
  for (const broker of kafkaSpec.bootstrapServers) {
    try {
      await probeKafkaBroker(broker, kafkaSpec, timeoutMs);
      return;
    } catch (err) {
      if (kafkaSpec.bootstrapServers.length === 1) throw err;
      problems.push(err instanceof BusUnreachableError ? err.message.replace(/^kafka at /, '') : String(err));
    }
  }
  throw new BusUnreachableError('kafka', kafkaSpec.bootstrapServers.join(','), problems.join('; '));
}

/**
 * What a successful probe of this bus did not prove, for the BackendReachable message: the credentials and the
 * server certificate are only checked by the adapters, which have the Secrets. Undefined when there is nothing.
 */
export function probeLeftUnchecked(spec: EventBusSpec): string | undefined {
  const secrets = busSecrets(spec).length > 0;
  const tls = (spec.redis !== undefined && redisBusTls(spec.redis)) || spec.kafka?.net?.tls?.enable === true || /^(tls|wss):/.test(spec.nats?.url ?? '');
  if (!secrets && !tls) return undefined;
  const what = [secrets ? 'the credentials' : undefined, tls ? 'the TLS certificates' : undefined].filter((x) => x !== undefined).join(' and ');
  return `the server answered; the adapters that use the bus check ${what} (the controller reads no Secrets)`;
}

export function networkBusProber(timeoutMs = 3000): BusProber {
  return {
    async probe(spec) {
      if (spec.nats !== undefined) return probeNats(spec.nats.url, timeoutMs);
      if (spec.redis !== undefined) return probeRedis(spec.redis, timeoutMs);
      if (spec.kafka !== undefined) return probeKafka(spec.kafka, timeoutMs);
      throw new BusUnreachableError('none', '-', 'no backend is set; set one of spec.nats, spec.redis, spec.kafka');
    },
  };
}
