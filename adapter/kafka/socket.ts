/**
 * The sockets kafkajs opens to brokers, with Nagle's algorithm off. kafkajs leaves it on (its default factory
 * sets only keep-alive), unlike the Java client, kafka-python and, since 2025, librdkafka. With it on, a request
 * written while an earlier write on the connection is still unacknowledged (kafkajs sends fetches, heartbeats and
 * commits on one connection) waits for that ACK, which the broker's kernel may hold back up to its delayed-ACK
 * timer. On loopback this made no measurable difference (bench/README.md); across a network it can. Otherwise
 * as kafkajs' own: TLS with SNI for host names, keep-alive probes after a minute.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';

const keepAliveDelayMs = 60_000;

export const noDelaySocketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  // kafkajs passes `ssl: true` for TLS with Node's defaults; spreading `true` adds nothing.
  const socket = ssl
    ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
    : net.connect({ host, port }, onConnect);
  socket.setKeepAlive(true, keepAliveDelayMs);
  socket.setNoDelay(true);
  return socket;
};
