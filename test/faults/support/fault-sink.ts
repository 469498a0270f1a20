/**
 * A sink that breaks on purpose, per CloudEvent id: the first `failFirst` attempts of every id get the fault
 * (5xx, 429 with Retry-After, a hang past the sender's timeout, a reset connection), later attempts 200.
 * `/dlq` on the same port always accepts, so `goAway` takes both away at once: the adapter then cannot make an
 * event safe anywhere and must keep it. Every 2xx is tallied per id, so loss and duplicates can be counted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startOutageServer } from '../../support/outage-server.js';

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'hang' }
  | { kind: 'reset' }
  /** Accept, but only after `ms` (a slow sink, so a backlog builds up behind it). */
  | { kind: 'slow'; ms: number }
  | { kind: 'none' };

export interface FaultSink {
  readonly sinkUrl: string;
  readonly deadLetterUrl: string;
  readonly delivered: Map<string, number>;
  readonly deadLettered: Map<string, number>;
  /** Every attempt at /sink per id, with its arrival time (ms since epoch). */
  readonly attempts: Map<string, number[]>;
  readonly requests: number;
  readonly faultsInjected: number;
  /** Requests received and not answered yet (hanging ones). */
  readonly hanging: number;
  /** Switch the fault from now on (e.g. to `none` once the test has what it wanted). */
  setFault(next: Fault, nextFailFirst?: number): void;
  /** Close the port for `ms` (connections refused), then listen again on the same port. */
  goAway(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultSink(fault: Fault, failFirst = 1): Promise<FaultSink> {
  const delivered = new Map<string, number>();
  const deadLettered = new Map<string, number>();
  const attempts = new Map<string, number[]>();
  const state = { requests: 0, faults: 0, hanging: 0 };
  let current = { fault, failFirst };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    req.on('end', () => {
      state.requests++;
      const id = String(req.headers['ce-id'] ?? '');
      if (req.url?.startsWith('/dlq')) {
        deadLettered.set(id, (deadLettered.get(id) ?? 0) + 1);
        res.writeHead(202).end();
        return;
      }
      const seen = attempts.get(id) ?? [];
      seen.push(Date.now());
      attempts.set(id, seen);
      const f = current.fault;
      if (f.kind === 'slow') {
        setTimeout(() => {
          delivered.set(id, (delivered.get(id) ?? 0) + 1);
          if (!res.destroyed) res.writeHead(200).end();
        }, f.ms);
        return;
      }
      if (seen.length <= current.failFirst && f.kind !== 'none') {
        state.faults++;
        if (f.kind === 'status') res.writeHead(f.status, f.headers ?? {}).end('injected fault');
        else if (f.kind === 'reset') req.socket.resetAndDestroy();
        else {
          state.hanging++;
          res.on('close', () => {
            state.hanging--;
          });
        }
        // hang: never answer; the socket is destroyed at close() or by the sender's timeout
        return;
      }
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
      res.writeHead(200).end();
    });
  };
  const server = await startOutageServer(handler);
  const port = server.port;
  return {
    sinkUrl: `http://127.0.0.1:${port}/sink`,
    deadLetterUrl: `http://127.0.0.1:${port}/dlq`,
    delivered,
    deadLettered,
    attempts,
    get requests() {
      return state.requests;
    },
    get faultsInjected() {
      return state.faults;
    },
    get hanging() {
      return state.hanging;
    },
    setFault(next, nextFailFirst = current.failFirst) {
      current = { fault: next, failFirst: nextFailFirst };
    },
    goAway: (ms) => server.goAway(ms),
    close: () => server.close(),
  };
}
