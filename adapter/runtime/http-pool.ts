/**
 * Keep-alive connection pools for sink deliveries (undici), one per distinct trust bundle: K_CA_CERTS adds to
 * the system roots (as Knative does) rather than replacing them, and a pool is bound to its TLS options.
 */
import { rootCertificates } from 'node:tls';
import { Agent, type Dispatcher } from 'undici';

export interface HttpPool {
  dispatcherFor(caCerts?: string): Dispatcher;
  close(): Promise<void>;
}

export interface HttpPoolOptions {
  /** Sockets per origin; bounded so a burst cannot open thousands of connections to one sink. */
  connectionsPerOrigin?: number;
  keepAliveTimeoutMs?: number;
}

export function createHttpPool(options: HttpPoolOptions = {}): HttpPool {
  const agents = new Map<string, Agent>();
  const make = (caCerts?: string): Agent =>
    new Agent({
      connections: options.connectionsPerOrigin ?? 128,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
      // Our own per-request deadline (AbortSignal) governs; undici's defaults (300 s) would only mask it.
      headersTimeout: 0,
      bodyTimeout: 0,
      ...(caCerts === undefined ? {} : { connect: { ca: [...rootCertificates, caCerts] } }),
    });
  return {
    dispatcherFor(caCerts) {
      const key = caCerts ?? '';
      let agent = agents.get(key);
      if (agent === undefined) {
        agent = make(caCerts);
        agents.set(key, agent);
      }
      return agent;
    },
    async close() {
      const all = [...agents.values()];
      agents.clear();
      await Promise.all(all.map((a) => a.close()));
    },
  };
}
