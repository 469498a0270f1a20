/**
 * Run a CloudEvents function behind HTTP: a user writes `export default async (event) => …` and this serves it.
 * It accepts binary and structured mode, answers 400 with the reason for a request that is not a valid CloudEvent,
 * 413 for a body over the limit, 500 when the function throws (so the sender retries), and replies with the
 * CloudEvent the function returns (binary mode), else 204.
 *
 *   node --import tsx samples/functions/lib/serve-function.ts ./my-function.ts
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CloudEvent, HTTP } from 'cloudevents';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { createLogger, type Logger } from '../../../lib/log.js';

/** What the function may want besides the event: where it was posted (e.g. `/dead-letters`) and the headers. */
export interface RequestInfo {
  path: string;
  headers: Readonly<Record<string, string>>;
}

export type CloudEventFunction = (event: CloudEvent<unknown>, request: RequestInfo) => unknown;

export interface ServeOptions {
  port?: number;
  host?: string;
  /** Largest request body accepted (bytes); larger requests get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  logger?: Logger;
  /** Extra routes (e.g. event-display's GET /events), added before the function route. */
  routes?: (app: Express) => void;
}

export const defaultMaxBodyBytes = 1024 * 1024;

/** Media types whose bytes the SDK should see as text (so it can parse JSON data); everything else stays bytes. */
function isTextual(contentType: string): boolean {
  return contentType === '' || /json|^text\/|xml/i.test(contentType);
}

function flatHeaders(headers: express.Request['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/** Parse and validate; throws with a message fit for a 400 answer. */
export function toCloudEvent(headers: Record<string, string>, body: Buffer): CloudEvent<unknown> {
  const ct = headers['content-type'] ?? '';
  let text: string | undefined;
  if (isTextual(ct)) {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw new Error(`body is not valid UTF-8 but content-type is ${ct || '(none)'}`);
    }
  }
  let parsed: CloudEvent<unknown> | CloudEvent<unknown>[];
  try {
    parsed = HTTP.toEvent({ headers, body: text ?? body }) as CloudEvent<unknown> | CloudEvent<unknown>[];
  } catch (err) {
    throw new Error(`not a CloudEvent: ${(err as Error).message}`);
  }
  if (Array.isArray(parsed)) throw new Error('batched CloudEvents are not supported: send one event per request');
  // The SDK validates 1.0 events only: a 0.3 or "9.9" event would pass with no source or type.
  if (parsed.specversion !== '1.0' && parsed.specversion !== '0.3') {
    throw new Error(`invalid CloudEvent: specversion ${JSON.stringify(parsed.specversion)} is not supported (1.0 or 0.3)`);
  }
  for (const attr of ['id', 'source', 'type'] as const) {
    const v: unknown = parsed[attr];
    if (typeof v !== 'string' || v === '') throw new Error(`invalid CloudEvent: required attribute ${attr} is missing`);
  }
  try {
    parsed.validate();
  } catch (err) {
    const errors = (err as { errors?: unknown }).errors;
    throw new Error(`invalid CloudEvent: ${(err as Error).message}${errors ? ` ${JSON.stringify(errors)}` : ''}`);
  }
  return parsed;
}

export function createFunctionApp(fn: CloudEventFunction, options: ServeOptions = {}): Express {
  const logger = options.logger ?? createLogger({ component: 'function' });
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  options.routes?.(app);
  // Any path: senders often post to a sub-path (a dead-letter URI like /dead-letters) of the same function.
  app.post(/.*/, express.raw({ type: () => true, limit: options.maxBodyBytes ?? defaultMaxBodyBytes }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const headers = flatHeaders(req.headers);
    let event: CloudEvent<unknown>;
    try {
      event = toCloudEvent(headers, body);
    } catch (err) {
      const reason = (err as Error).message;
      logger.warn('rejected a request that is not a valid CloudEvent', { reason });
      res.status(400).json({ error: reason });
      return;
    }
    try {
      const reply = await fn(event, { path: req.path, headers });
      if (reply instanceof CloudEvent) {
        const message = HTTP.binary(reply);
        res.status(200).set(message.headers as Record<string, string>);
        const replyBody = message.body;
        res.send(typeof replyBody === 'string' || Buffer.isBuffer(replyBody) ? replyBody : Buffer.from(replyBody as Uint8Array));
        return;
      }
      res.status(204).end();
    } catch (err) {
      logger.error('function failed', { id: event.id, err });
      res.status(500).json({ error: `function failed: ${(err as Error).message}` });
    }
  });
  const onError: ErrorRequestHandler = (err: { type?: string; status?: number; message?: string }, _req, res, _next) => {
    if (err.type === 'entity.too.large') {
      const limit = options.maxBodyBytes ?? defaultMaxBodyBytes;
      res.status(413).json({ error: `body is over the limit of ${limit} bytes` });
      return;
    }
    res.status(err.status ?? 500).json({ error: err.message ?? 'request failed' });
  };
  app.use(onError);
  return app;
}

export interface ServedFunction {
  url: string;
  close(): Promise<void>;
}

export async function serveFunction(fn: CloudEventFunction, options: ServeOptions = {}): Promise<ServedFunction> {
  const app = createFunctionApp(fn, options);
  const port = options.port ?? Number(process.env.PORT ?? 8080);
  const host = options.host ?? (process.env.POD_IP || process.env.BIND_ADDRESS || '0.0.0.0');
  const server: Server = await new Promise((resolveServer, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolveServer(s)));
  });
  const addr = server.address() as AddressInfo;
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shown}:${addr.port}/`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** `serve-function.ts <module>`: serve the module's default export. */
async function main(path: string): Promise<void> {
  const mod = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown };
  if (typeof mod.default !== 'function') throw new Error(`${path} has no default export function: write \`export default async (event) => …\``);
  const served = await serveFunction(mod.default as CloudEventFunction);
  createLogger({ component: 'function' }).info('function listening', { url: served.url, module: path });
  const stop = (): void => {
    void served.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const path = process.argv[2];
  if (path === undefined) {
    process.stderr.write('usage: serve-function <module exporting default async (event) => …>\n');
    process.exit(2);
  }
  main(path).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
