/**
 * A thin JSON client over node:http(s) that takes TLS material and credentials from a client-node
 * KubeConfig. Why not client-node's typed APIs: they need a discovery round trip per kind for
 * generic objects, deserialise known kinds into classes (timestamps become Dates, so cache objects
 * and watch events would differ in shape), and their watch cannot abort a request that hangs
 * before the response headers, which is exactly the silent stall the informer must survive.
 */
import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConnectionError, apiErrorFor } from './errors.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface JsonRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  body?: unknown;
  /** Defaults to application/json; PATCH callers pass the patch media type. */
  contentType?: string;
  signal?: AbortSignal;
}

export interface StreamHandle {
  /** Resolves when the server ends the stream, rejects on a transport or HTTP error; never settles after abort(). */
  readonly done: Promise<void>;
  abort(): void;
}

export interface KubeClientOptions {
  /** Upper bound for a non-watch request, including connect (default 30s). */
  requestTimeoutMs?: number;
  /** Upper bound for a watch to answer with its headers (default 15s). */
  watchConnectTimeoutMs?: number;
}

function buildUrl(server: string, path: string, query?: Query): URL {
  const url = new URL(server.replace(/\/$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

export class KubeClient {
  readonly kubeConfig: KubeConfig;
  private readonly requestTimeoutMs: number;
  private readonly watchConnectTimeoutMs: number;
  private agent: http.Agent | undefined;

  constructor(kubeConfig: KubeConfig, options: KubeClientOptions = {}) {
    this.kubeConfig = kubeConfig;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.watchConnectTimeoutMs = options.watchConnectTimeoutMs ?? 15_000;
  }

  private server(): string {
    const cluster = this.kubeConfig.getCurrentCluster();
    if (!cluster) throw new ConnectionError('NoCluster', 'kubeconfig has no current cluster', { method: '', path: '' });
    return cluster.server;
  }

  /** Credentials are re-applied per request (tokens may rotate); the keep-alive agent is built once. */
  private async requestOptions(url: URL, method: string, headers: Record<string, string>): Promise<https.RequestOptions> {
    const opts: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(opts);
    if (!this.agent) {
      const tls = {
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        pfx: opts.pfx,
        passphrase: opts.passphrase,
        servername: opts.servername,
        rejectUnauthorized: opts.rejectUnauthorized,
      };
      this.agent = url.protocol === 'https:' ? new https.Agent({ ...tls, keepAlive: true }) : new http.Agent({ keepAlive: true });
    }
    const merged: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) merged[k] = String(v);
    Object.assign(merged, headers);
    return { method, agent: this.agent, headers: merged, auth: opts.auth };
  }

  private send(url: URL, options: https.RequestOptions): http.ClientRequest {
    return url.protocol === 'https:' ? https.request(url, options) : http.request(url, options);
  }

  async json<T>(req: JsonRequest): Promise<T> {
    const url = buildUrl(this.server(), req.path, req.query);
    const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const options = await this.requestOptions(url, req.method, headers);
    const context = { method: req.method, path: req.path };
    return new Promise<T>((resolve, reject) => {
      const r = this.send(url, { ...options, signal: req.signal, timeout: this.requestTimeoutMs });
      r.on('timeout', () => r.destroy(new Error(`no answer within ${this.requestTimeoutMs}ms`)));
      r.on('error', (err) =>
        reject(new ConnectionError('ConnectionError', `${req.method} ${req.path}: ${err.message}`, context, { cause: err })),
      );
      r.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) =>
          reject(new ConnectionError('ConnectionError', `${req.method} ${req.path}: ${err.message}`, context, { cause: err })),
        );
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // Not JSON (a proxy's HTML page, a truncated body): keep the text for the error message.
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve(body as T);
          else reject(apiErrorFor(req.method, req.path, status, body));
        });
      });
      if (payload) r.write(payload);
      r.end();
    });
  }

  /**
   * Open a streaming GET (a watch) and hand every line to `onLine`. The request is abortable at every
   * stage, including before the server sends headers, and fails if headers do not come in time.
   */
  async stream(path: string, query: Query, onLine: (line: string) => void): Promise<StreamHandle> {
    const url = buildUrl(this.server(), path, query);
    const options = await this.requestOptions(url, 'GET', { Accept: 'application/json' });
    const ac = new AbortController();
    const context = { method: 'GET', path };
    const done = new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        // An abort is the caller's own decision; they are not waiting for an answer.
        if (ac.signal.aborted) return;
        if (err) reject(err);
        else resolve();
      };
      const r = this.send(url, { ...options, signal: ac.signal });
      const connectTimer = setTimeout(() => {
        r.destroy();
        const err = new ConnectionError('WatchConnectTimeout', `GET ${path}: no response headers within ${this.watchConnectTimeoutMs}ms`, context);
        finish(err);
      }, this.watchConnectTimeoutMs);
      r.on('error', (err) => finish(new ConnectionError('ConnectionError', `GET ${path}: ${err.message}`, context, { cause: err })));
      r.on('response', (res) => {
        clearTimeout(connectTimer);
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = JSON.parse(text);
            } catch {
              // keep text
            }
            finish(apiErrorFor('GET', path, status, body));
          });
          res.on('error', (err) => finish(new ConnectionError('ConnectionError', `GET ${path}: ${err.message}`, context, { cause: err })));
          return;
        }
        const lines = createInterface({ input: res, crlfDelay: Number.POSITIVE_INFINITY });
        lines.on('line', (line) => {
          if (!settled && line.trim()) onLine(line);
        });
        // readline re-emits the response's errors; they are handled on `res` below.
        lines.on('error', () => {});
        res.on('error', (err) => finish(new ConnectionError('ConnectionError', `GET ${path}: ${err.message}`, context, { cause: err })));
        res.on('end', () => finish());
        res.on('close', () => finish());
      });
      r.end();
    });
    return { done, abort: () => ac.abort() };
  }

  destroy(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }
}
