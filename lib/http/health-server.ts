/**
 * The probe and metrics endpoints every Headwater process serves on one port: /healthz (the process answers),
 * /readyz (the caller says whether it is ready) and /metrics (Prometheus text). The controller and each adapter
 * differ only in what "ready" means and how a 503 explains itself, so both pass those in.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What /metrics needs from a prom-client Registry, so lib does not depend on prom-client. */
export interface MetricsText {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface HealthServerOptions {
  /** Address to bind; default 0.0.0.0. */
  host?: string;
  port: number;
  registry: MetricsText;
  isReady(): boolean;
  /** /readyz body when ready; default "ok". */
  readyText?: string;
  /** /readyz body when not ready: what the process is still waiting for. */
  notReadyText: string;
}

export interface HealthServer {
  readonly port: number;
  /** Base URL to reach the server from this host (0.0.0.0 shown as 127.0.0.1). */
  readonly url: string;
  close(): Promise<void>;
}

export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const host = opts.host ?? '0.0.0.0';
  const readyBody = `${opts.readyText ?? 'ok'}\n`;
  const notReadyBody = `${opts.notReadyText}\n`;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (path === '/readyz') {
      const ready = opts.isReady();
      res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? readyBody : notReadyBody);
    } else if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': opts.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(err)}\n`),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  // Probes must not keep the process alive at shutdown through idle keep-alive sockets.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    port,
    url: `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
