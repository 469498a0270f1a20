import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { brokerProcess, pidListeningOn, portOf } from '../../../bench/lib/listening-pid.js';

describe('pidListeningOn', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  const listen = (host: string): Promise<number> =>
    new Promise((resolve, reject) => {
      server = createServer();
      server.once('error', reject);
      server.listen(0, host, () => {
        const address = server?.address();
        if (address === null || address === undefined || typeof address === 'string') reject(new Error('no port'));
        else resolve(address.port);
      });
    });

  it('finds this process behind a loopback listener', async () => {
    const port = await listen('127.0.0.1');
    expect(pidListeningOn(port)).toBe(process.pid);
    expect(brokerProcess('self', `nats://127.0.0.1:${port}`)).toEqual({ name: 'self', pid: process.pid });
  });

  it('finds no one on a port nobody listens on', async () => {
    const port = await listen('127.0.0.1');
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    expect(pidListeningOn(port)).toBeUndefined();
  });
});

describe('portOf', () => {
  it('reads the port of host:port and of URLs with paths and credentials', () => {
    expect(portOf('127.0.0.1:9092')).toBe(9092);
    expect(portOf('redis://:secret@127.0.0.1:6379/0')).toBe(6379);
    expect(portOf('nats://127.0.0.1:4222')).toBe(4222);
  });

  it('refuses an address without a port, and brokerProcess then finds nothing', () => {
    expect(() => portOf('redis-host')).toThrow(/no port in redis-host/);
    expect(brokerProcess('redis-server', '')).toBeUndefined();
  });
});
