/**
 * The lock behind the test lanes (test/support/lanes.ts): a readers-writer lock in the vitest main process,
 * served on loopback, that test files in worker processes take for their whole run. `parallel` files take it
 * shared, `alone` files exclusive. Requests are granted in arrival order, so a waiting `alone` file is not
 * starved by a stream of parallel ones.
 *
 * A holder keeps its HTTP request open; the lock is released when that connection closes, so a worker that
 * crashes or is killed mid-file releases it too.
 */
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Lane } from './lanes.js';

interface Waiter {
  lane: Lane;
  res: ServerResponse;
}

/** The decision, pure: which of the queued requests (in arrival order) can be granted now. */
export function grantable(queue: readonly Lane[], holders: { shared: number; exclusive: boolean }): number {
  let shared = holders.shared;
  let exclusive = holders.exclusive;
  let n = 0;
  for (const lane of queue) {
    if (exclusive) break;
    if (lane === 'alone') {
      if (shared > 0) break;
      exclusive = true;
    } else {
      shared++;
    }
    n++;
  }
  return n;
}

export interface LaneLockServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startLaneLockServer(): Promise<LaneLockServer> {
  const queue: Waiter[] = [];
  const holders = { shared: 0, exclusive: false };

  const pump = (): void => {
    const n = grantable(
      queue.map((w) => w.lane),
      holders,
    );
    for (const w of queue.splice(0, n)) {
      if (w.lane === 'alone') holders.exclusive = true;
      else holders.shared++;
      let released = false;
      w.res.once('close', () => {
        if (released) return;
        released = true;
        if (w.lane === 'alone') holders.exclusive = false;
        else holders.shared--;
        pump();
      });
      // Headers out = granted; the body stays open for as long as the file holds the lock.
      w.res.writeHead(200, { 'content-type': 'text/plain' });
      w.res.write('granted\n');
    }
  };

  const server = createServer((req, res) => {
    const lane = new URL(req.url ?? '/', 'http://x').searchParams.get('lane') === 'parallel' ? 'parallel' : 'alone';
    const waiter: Waiter = { lane, res };
    queue.push(waiter);
    // Gone before it was granted: drop it from the queue.
    res.once('close', () => {
      const at = queue.indexOf(waiter);
      if (at >= 0) {
        queue.splice(at, 1);
        pump();
      }
    });
    pump();
  });
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Takes the lock for `lane`; resolves once granted with the function that releases it. */
export function acquireLane(url: string, lane: Lane, file: string): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    target.searchParams.set('lane', lane);
    target.searchParams.set('file', file);
    const req = request(target, { method: 'GET', agent: false }, (res) => {
      if (res.statusCode !== 200) {
        req.destroy();
        reject(new Error(`lane lock at ${url} answered ${res.statusCode}`));
        return;
      }
      res.resume();
      resolve(() => req.destroy());
    });
    req.on('error', reject);
    req.end();
  });
}
