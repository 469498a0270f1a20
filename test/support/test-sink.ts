/**
 * A real HTTP(S) sink on 127.0.0.1 for integration tests: it records every request (raw headers and body, and the
 * CloudEvent when it is one) and can be told to fail, to hang, to cut the connection, or to go away.
 */
import { EventEmitter } from 'node:events';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { type CloudEvent, HTTP } from 'cloudevents';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The request as a CloudEvent (validated), or undefined when it is not one. */
  event?: CloudEvent<unknown>;
  /** Why it is not a CloudEvent, when it is not. */
  notAnEvent?: string;
}

export type SinkBehaviour =
  | { status: number; headers?: Record<string, string>; body?: string }
  /** Never answer (until the sink closes). */
  | { hang: true }
  /** Answer only when the test calls release(). */
  | { hold: true }
  /** Cut the connection without an answer. */
  | { destroy: true };

export interface TestSink {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Requests received and not yet answered (hanging ones count until their connection closes). */
  readonly inFlight: number;
  /** The most requests that were unanswered at the same time. */
  readonly maxInFlight: number;
  /** Behaviours for the next requests, in order; after them the default applies. */
  respond(...behaviours: SinkBehaviour[]): void;
  /** Answer every held request (behaviour `{hold: true}`) with this status. */
  release(status?: number): void;
  /** Requests held and not yet released. */
  readonly held: number;
  /** What requests get once the queue is empty (initially 200). */
  setDefault(behaviour: SinkBehaviour): void;
  /** Resolves once `count` requests in total have arrived; rejects after `timeoutMs` so a broken test ends. */
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export interface TestSinkOptions {
  tls?: { key: string | Buffer; cert: string | Buffer };
  host?: string;
}

function parseEvent(headers: IncomingHttpHeaders, body: Buffer): { event?: CloudEvent<unknown>; notAnEvent?: string } {
  try {
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(',') : v;
    const ct = flat['content-type'] ?? '';
    // Keep bytes as bytes: the SDK would otherwise turn a binary body into a string.
    const isText = ct === '' || /json|text|xml/.test(ct);
    const parsed = HTTP.toEvent({ headers: flat, body: isText ? body.toString('utf8') : body });
    const event = (Array.isArray(parsed) ? parsed[0] : parsed) as CloudEvent<unknown>;
    event.validate();
    return { event };
  } catch (err) {
    return { notAnEvent: err instanceof Error ? err.message : String(err) };
  }
}

export async function startTestSink(options: TestSinkOptions = {}): Promise<TestSink> {
  const requests: ReceivedRequest[] = [];
  const queue: SinkBehaviour[] = [];
  let fallback: SinkBehaviour = { status: 200 };
  const arrivals = new EventEmitter();
  const sockets = new Set<Socket>();
  const heldResponses: ServerResponse[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const settle = (): void => {
      if (counted) inFlight--;
      counted = false;
    };
    res.on('close', settle);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const record: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        ...parseEvent(req.headers, body),
      };
      requests.push(record);
      arrivals.emit('request');
      const behaviour = queue.shift() ?? fallback;
      if ('hang' in behaviour) return;
      if ('hold' in behaviour) {
        heldResponses.push(res);
        return;
      }
      if ('destroy' in behaviour) {
        req.socket.destroy();
        return;
      }
      res.writeHead(behaviour.status, behaviour.headers ?? {});
      res.end(behaviour.body ?? '');
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler)
    : createHttpServer(handler);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `${options.tls ? 'https' : 'http'}://${host}:${port}/`;

  return {
    url,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    respond: (...b) => {
      queue.push(...b);
    },
    release: (status = 200) => {
      for (const res of heldResponses.splice(0)) if (!res.destroyed) res.writeHead(status).end();
    },
    get held() {
      return heldResponses.length;
    },
    setDefault: (b) => {
      fallback = b;
    },
    waitForRequests(count, timeoutMs = 30_000) {
      if (requests.length >= count) return Promise.resolve(requests.slice(0, count));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          arrivals.off('request', check);
          reject(new Error(`test sink ${url}: ${requests.length} of ${count} requests arrived within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = (): void => {
          if (requests.length < count) return;
          clearTimeout(timer);
          arrivals.off('request', check);
          resolve(requests.slice(0, count));
        };
        arrivals.on('request', check);
      });
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
