/**
 * The broker sockets: Nagle off and keep-alive on, for plain TCP (a real local listener) and TLS (the options
 * handed to tls.connect; test/integration/adapter/auth/kafka-auth.test.ts runs TLS and mTLS against a broker).
 */
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { noDelaySocketFactory } from '../../../../adapter/kafka/socket.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('noDelaySocketFactory', () => {
  it('connects over plain TCP with Nagle off and keep-alive on', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const noDelay = vi.spyOn(net.Socket.prototype, 'setNoDelay');
    const keepAlive = vi.spyOn(net.Socket.prototype, 'setKeepAlive');
    try {
      let socket: net.Socket | undefined;
      await new Promise<void>((resolve) => {
        socket = noDelaySocketFactory({ host: '127.0.0.1', port, ssl: undefined as unknown as tls.ConnectionOptions, onConnect: resolve });
      });
      expect(socket).toBeInstanceOf(net.Socket);
      expect(socket).not.toBeInstanceOf(tls.TLSSocket);
      expect(noDelay.mock.contexts).toContain(socket);
      expect(noDelay.mock.calls.at(-1)).toEqual([true]);
      expect(keepAlive.mock.calls.at(-1)).toEqual([true, 60_000]);
      socket?.destroy();
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('hands the TLS options to tls.connect, with SNI for a host name and none for an IP', () => {
    const fake = { setKeepAlive: vi.fn(), setNoDelay: vi.fn() };
    const connect = vi.spyOn(tls, 'connect').mockReturnValue(fake as unknown as tls.TLSSocket);
    const onConnect = (): void => undefined;
    const ca = ['-----BEGIN CERTIFICATE-----'];

    expect(noDelaySocketFactory({ host: 'broker-0.kafka', port: 9093, ssl: { ca }, onConnect })).toBe(fake);
    expect(connect).toHaveBeenLastCalledWith({ host: 'broker-0.kafka', port: 9093, servername: 'broker-0.kafka', ca }, onConnect);

    noDelaySocketFactory({ host: '10.0.0.7', port: 9093, ssl: true as unknown as tls.ConnectionOptions, onConnect });
    expect(connect).toHaveBeenLastCalledWith({ host: '10.0.0.7', port: 9093 }, onConnect);
    expect(fake.setNoDelay).toHaveBeenCalledWith(true);
    expect(fake.setKeepAlive).toHaveBeenCalledWith(true, 60_000);
  });
});
