/**
 * One HTTP POST through undici's `dispatch` with a handler that keeps only what a delivery needs: the status, a
 * `Retry-After`, and the first bytes of a refusal's body. undici's `request()` builds a request handler, a body
 * stream and its promise plumbing for every call, and an answer's body must then be dumped through that stream:
 * a POST of a 1 KiB event over keep-alive cost the client 31–39 µs of CPU that way against 16–18 µs here in a
 * bare loop, 32–34 against 25–27 µs in the benchmarks' ceiling worker (bench/README.md). Both go through the
 * same pool (http-pool.ts), connections and all.
 *
 * An abort (the attempt's deadline, or shutdown) rejects at once, even while the request still waits for a
 * connection, and tears the request down as soon as undici hands it one.
 */
import type { Dispatcher } from 'undici';
import type { AttemptSignal } from './attempt-signal.js';

export interface PostAnswer {
  status: number;
  /** The `Retry-After` header of the answer, as sent. */
  retryAfter?: string;
  /** The first `bodyLimit` bytes of a non-2xx answer's body (empty for a 2xx, whose body is not kept). */
  body: Buffer;
}

export class PostAbortedError extends Error {
  constructor(readonly reason: unknown) {
    super('request aborted');
    this.name = 'PostAbortedError';
  }
}

interface Target {
  origin: string;
  path: string;
}

/** Sink URIs are few and repeat for every event: parse each once. Bounded, in case they are not few. */
const targets = new Map<string, Target>();
const maxTargets = 1024;

function targetOf(uri: string): Target {
  let t = targets.get(uri);
  if (t === undefined) {
    const url = new URL(uri);
    t = { origin: url.origin, path: `${url.pathname}${url.search}` };
    if (targets.size >= maxTargets) targets.clear();
    targets.set(uri, t);
  }
  return t;
}

/** A 2xx: the sink took the event. */
export const isSuccess = (status: number): boolean => status >= 200 && status < 300;

export function post(
  dispatcher: Dispatcher,
  uri: string,
  headers: Record<string, string>,
  body: Uint8Array,
  signal?: AttemptSignal,
  bodyLimit = 1024,
): Promise<PostAnswer> {
  const { origin, path } = targetOf(uri);
  return new Promise<PostAnswer>((resolve, reject) => {
    let settled = false;
    let controller: Dispatcher.DispatchController | undefined;
    let status = 0;
    let retryAfter: string | undefined;
    let chunks: Buffer[] | undefined;
    let kept = 0;
    const settle = (err: Error | undefined): void => {
      if (settled) return;
      settled = true;
      signal?.removeListener('abort', onAbort);
      if (err !== undefined) {
        reject(err);
        return;
      }
      const answer: PostAnswer = { status, body: chunks === undefined ? Buffer.alloc(0) : Buffer.concat(chunks).subarray(0, bodyLimit) };
      if (retryAfter !== undefined) answer.retryAfter = retryAfter;
      resolve(answer);
    };
    const onAbort = (): void => {
      const err = new PostAbortedError(signal?.reason);
      controller?.abort(err);
      settle(err);
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.on('abort', onAbort);
    try {
      dispatcher.dispatch(
        { origin, path, method: 'POST', headers, body },
        {
          onRequestStart(c) {
            controller = c;
            // Aborted while it waited for a connection: the promise has settled; do not send it.
            if (settled) c.abort(new PostAbortedError(signal?.reason));
          },
          onResponseStart(_c, statusCode, responseHeaders) {
            status = statusCode;
            const ra = responseHeaders['retry-after'];
            retryAfter = Array.isArray(ra) ? ra[0] : ra;
            if (!isSuccess(statusCode)) chunks = [];
          },
          onResponseData(c, chunk) {
            if (chunks === undefined) return;
            chunks.push(chunk);
            kept += chunk.length;
            if (kept >= bodyLimit) {
              // Enough of a refusal to tell why: answer now and drop the connection rather than read the rest.
              settle(undefined);
              c.abort(new PostAbortedError('error body limit reached'));
            }
          },
          onResponseEnd() {
            settle(undefined);
          },
          onResponseError(_c, err) {
            settle(err);
          },
        },
      );
    } catch (err) {
      settle(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
