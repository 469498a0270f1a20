/**
 * A loopback HTTP server whose port can go away and come back: while away, connections are refused (not
 * hung), which is what a sink that crashed or is being redeployed looks like to a sender. Shared by the no-loss
 * tests and the fault suite so an "outage" means the same thing in both.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface OutageServer {
  readonly port: number;
  /** Close the port (open connections destroyed) for `ms`, then listen again on the same port. */
  goAway(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startOutageServer(handler: RequestListener): Promise<OutageServer> {
  const sockets = new Set<Socket>();
  const listen = async (port: number): Promise<Server> => {
    const srv = createServer(handler);
    srv.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => srv.listen(port, '127.0.0.1', () => r()));
    return srv;
  };
  let server = await listen(0);
  const { port } = server.address() as AddressInfo;
  const close = async (): Promise<void> => {
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    port,
    async goAway(ms) {
      await close();
      await new Promise((r) => setTimeout(r, ms));
      server = await listen(port);
    },
    close,
  };
}
