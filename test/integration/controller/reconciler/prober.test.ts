/** The real BusProber against the real NATS, Redis and Kafka of hack/env.sh, and against ports that are not them. */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BusUnreachableError, networkBusProber } from '../../../../controller/reconciler/eventbus/prober.js';
import { testEnv } from '../../../support/env.js';

const hostPort = (url: string) => url.replace(/^[a-z]+:\/\//, '');

describe('networkBusProber against real servers', () => {
  const prober = networkBusProber(5000);
  let silent: Server;
  let silentPort = 0;

  beforeAll(async () => {
    // a TCP server that accepts and never speaks: neither NATS (no INFO) nor anything else. It reads what it is
    // sent, so a client that wrote (the Kafka probe) and hung up closes on this side too and close() can finish.
    silent = createServer((s) => s.resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => silent.close(() => resolve())));

  it('NATS answers with INFO', async () => {
    await expect(prober.probe({ nats: { url: testEnv.natsUrl() } })).resolves.toBeUndefined();
  });

  it('Redis answers PING (host:port and redis:// forms)', async () => {
    await expect(prober.probe({ redis: { address: testEnv.redisUrl() } })).resolves.toBeUndefined();
    await expect(prober.probe({ redis: { address: hostPort(testEnv.redisUrl()) } })).resolves.toBeUndefined();
  });

  it('Kafka answers ApiVersions', async () => {
    await expect(prober.probe({ kafka: { bootstrapServers: testEnv.kafkaBrokers() } })).resolves.toBeUndefined();
  });

  it('a refused port is unreachable, with the address in the message', async () => {
    const err = await prober.probe({ nats: { url: 'nats://127.0.0.1:1' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BusUnreachableError);
    expect((err as Error).message).toMatch(/^nats at nats:\/\/127.0.0.1:1: .*ECONNREFUSED/);
    await expect(prober.probe({ redis: { address: '127.0.0.1:1' } })).rejects.toBeInstanceOf(BusUnreachableError);
    await expect(prober.probe({ kafka: { bootstrapServers: ['127.0.0.1:1'] } })).rejects.toBeInstanceOf(BusUnreachableError);
  });

  it('a server that is not NATS is not taken for one', async () => {
    const quick = networkBusProber(500);
    await expect(quick.probe({ nats: { url: `nats://127.0.0.1:${silentPort}` } })).rejects.toThrow(/no INFO within 500 ms/);
    // Redis speaks first only when spoken to: it answers garbage to NATS' expectations
    await expect(quick.probe({ nats: { url: `nats://${hostPort(testEnv.redisUrl())}` } })).rejects.toBeInstanceOf(BusUnreachableError);
  });

  it('a server that is not Kafka is not taken for one', async () => {
    const quick = networkBusProber(500);
    // NATS speaks first (INFO), Redis answers an error line: neither is an ApiVersions response
    await expect(quick.probe({ kafka: { bootstrapServers: [hostPort(testEnv.natsUrl())] } })).rejects.toThrow(/is this a Kafka listener\?/);
    await expect(quick.probe({ kafka: { bootstrapServers: [hostPort(testEnv.redisUrl())] } })).rejects.toBeInstanceOf(BusUnreachableError);
    await expect(quick.probe({ kafka: { bootstrapServers: [`127.0.0.1:${silentPort}`] } })).rejects.toThrow(/no ApiVersions answer within 500 ms/);
  });
});
