/**
 * A tiny kube-proxy for loopback: every Service gets its own 127.x address, with one TCP listener per
 * Service port that forwards each connection to a ready endpoint (round-robin) on the endpoint's
 * target port. So `http://NAME.NS.svc.cluster.local[:port]` works even when the Service port differs
 * from the container port, and readiness changes take effect without touching /etc/hosts.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Logger } from '../../lib/log.js';
import { type HostEntry, serviceHostNames } from './hosts-file.js';
import type { IpPool } from './ip-pool.js';
import type { ServiceRoute, Target } from './service-routes.js';

interface Listener {
  server: Server;
  targets: Target[];
  next: number;
  sockets: Set<Socket>;
}

/** Closing a server only stops accepting: end its open connections too, or keep-alive clients pin it. */
function shut(listener: Listener): Promise<void> {
  const closed = new Promise<void>((resolve) => listener.server.close(() => resolve()));
  for (const s of listener.sockets) s.destroy();
  return closed;
}

function pipeTo(client: Socket, target: Target): void {
  const upstream = connect({ host: target.ip, port: target.port });
  client.pipe(upstream);
  upstream.pipe(client);
  const close = (): void => {
    client.destroy();
    upstream.destroy();
  };
  // A refused upstream shows up as a reset to the client, as kube-proxy's REJECT does.
  upstream.once('error', () => client.resetAndDestroy());
  client.once('error', close);
  upstream.once('close', close);
  client.once('close', close);
}

export class ServiceProxy {
  private readonly listeners = new Map<string, Listener>(); // "ip:port" → listener
  private readonly routeIPs = new Map<string, string>(); // service key → ip

  constructor(
    private readonly pool: IpPool,
    private readonly log: Logger,
    private readonly clusterDomain = 'cluster.local',
  ) {}

  private async listen(ip: string, port: number): Promise<Listener> {
    const listener: Listener = { server: createServer(), targets: [], next: 0, sockets: new Set() };
    listener.server.on('connection', (socket) => {
      listener.sockets.add(socket);
      socket.once('close', () => listener.sockets.delete(socket));
      const targets = listener.targets;
      if (targets.length === 0) {
        socket.resetAndDestroy();
        return;
      }
      const target = targets[listener.next++ % targets.length]!;
      pipeTo(socket, target);
    });
    await new Promise<void>((resolve, reject) => {
      listener.server.once('error', reject);
      listener.server.listen(port, ip, () => {
        listener.server.off('error', reject);
        resolve();
      });
    });
    listener.server.on('error', (err) => this.log.warn('service listener error', { ip, port, err }));
    return listener;
  }

  /** Brings listeners in line with `routes` and returns the hosts entries that name them. */
  async apply(routes: readonly ServiceRoute[]): Promise<HostEntry[]> {
    const wanted = new Set<string>();
    const hosts: HostEntry[] = [];
    const liveKeys = new Set(routes.map((r) => r.key));
    for (const key of [...this.routeIPs.keys()]) {
      if (!liveKeys.has(key)) {
        this.routeIPs.delete(key);
        this.pool.release(key);
      }
    }
    for (const route of routes) {
      const names = serviceHostNames(route.name, route.namespace, this.clusterDomain);
      if (route.headless) {
        const first = route.ports.flatMap((p) => p.targets)[0];
        if (first) hosts.push({ ip: first.ip, names });
        continue;
      }
      let ip = this.routeIPs.get(route.key);
      if (!ip) {
        ip = this.pool.allocate(route.key);
        this.routeIPs.set(route.key, ip);
      }
      hosts.push({ ip, names });
      for (const port of route.ports) {
        const id = `${ip}:${port.port}`;
        wanted.add(id);
        let listener = this.listeners.get(id);
        if (!listener) {
          try {
            listener = await this.listen(ip, port.port);
          } catch (err) {
            this.log.warn('cannot listen for service', { service: route.key, ip, port: port.port, err });
            continue;
          }
          this.listeners.set(id, listener);
        }
        listener.targets = port.targets;
      }
    }
    for (const [id, listener] of this.listeners) {
      if (!wanted.has(id)) {
        void shut(listener);
        this.listeners.delete(id);
      }
    }
    return hosts;
  }

  async close(): Promise<void> {
    await Promise.all([...this.listeners.values()].map(shut));
    this.listeners.clear();
  }
}
