/**
 * The no-loss harness: a sink that misbehaves on purpose (random 5xx, a 400 for poison events, an outage
 * during which its port refuses connections), the real adapter as a child process that can be SIGKILLed and
 * restarted, and a tally of what arrived (duplicates included).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { freePort } from '../../../../lib/net/free-port.js';
import { testEnv } from '../../../support/env.js';
import { startOutageServer } from '../../../support/outage-server.js';

export interface FlakySink {
  readonly sinkUrl: string;
  readonly deadLetterUrl: string;
  /** id → times answered 2xx at the sink path. */
  readonly delivered: Map<string, number>;
  /** id → times answered 2xx at the dead-letter path. */
  readonly deadLettered: Map<string, number>;
  requests: number;
  failedOnPurpose: number;
  /** Close the port (sink and dead-letter sink alike) for `ms`, then listen again on the same port. */
  goAway(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * `/sink` fails `failRate` of requests with 503 and answers 400 (not retryable) to events whose body contains POISON;
 * `/dlq` always accepts. Both share the port, so an outage takes both away: the adapter then cannot make an
 * event safe and must keep it unacknowledged.
 */
export async function startFlakySink(failRate: number, random: () => number = Math.random): Promise<FlakySink> {
  const delivered = new Map<string, number>();
  const deadLettered = new Map<string, number>();
  const state = { requests: 0, failedOnPurpose: 0 };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      const id = String(req.headers['ce-id'] ?? '');
      if (req.url?.startsWith('/dlq')) {
        deadLettered.set(id, (deadLettered.get(id) ?? 0) + 1);
        res.writeHead(202).end();
        return;
      }
      if (Buffer.concat(chunks).includes('POISON')) {
        res.writeHead(400).end('poison');
        return;
      }
      if (random() < failRate) {
        state.failedOnPurpose++;
        res.writeHead(503).end('try later');
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
    get requests() {
      return state.requests;
    },
    get failedOnPurpose() {
      return state.failedOnPurpose;
    },
    goAway: (ms) => server.goAway(ms),
    close: () => server.close(),
  };
}

export interface AdapterProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Lines the process wrote (stdout and stderr), for failure messages. */
  readonly output: string[];
  readonly exited: Promise<number | null>;
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** The real adapter binary (`adapter/main.ts` under tsx), configured only through its environment. */
export async function spawnAdapter(role: string, env: Record<string, string>): Promise<AdapterProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'adapter/main.ts', role], {
    cwd: testEnv.repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), BIND_ADDRESS: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) output.push(line);
    if (output.length > 2000) output.splice(0, output.length - 2000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    port,
    output,
    exited,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Resolves once /readyz answers 200; rejects if the process exits first or `ms` pass. */
export async function waitReady(p: AdapterProcess, ms = 60_000): Promise<void> {
  let exited = false;
  p.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`adapter exited before it was ready:\n${p.output.slice(-30).join('\n')}`);
    const res = await fetch(`http://127.0.0.1:${p.port}/readyz`).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`adapter not ready within ${ms} ms:\n${p.output.slice(-30).join('\n')}`);
}

/** Polls `done` until true; after `ms` resolves false so the test can report what is missing. */
export async function eventually(done: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (done()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return done();
}

export interface Tally {
  missing: string[];
  duplicates: [string, number][];
  deadLettered: number;
}

/** Every expected id must have arrived at the sink or the dead-letter sink; duplicates are counted and printed. */
export function tally(name: string, expected: readonly string[], sink: FlakySink): Tally {
  const missing = expected.filter((id) => !sink.delivered.has(id) && !sink.deadLettered.has(id));
  const duplicates: [string, number][] = [];
  for (const id of expected) {
    const n = (sink.delivered.get(id) ?? 0) + (sink.deadLettered.get(id) ?? 0);
    if (n > 1) duplicates.push([id, n]);
  }
  const extra = duplicates.reduce((s, [, n]) => s + n - 1, 0);
  console.log(
    `[noloss ${name}] sent=${expected.length} delivered=${sink.delivered.size} deadLettered=${sink.deadLettered.size} missing=${missing.length} ` +
      `duplicatedIds=${duplicates.length} extraCopies=${extra} sinkRequests=${sink.requests} failedOnPurpose=${sink.failedOnPurpose}`,
  );
  if (duplicates.length > 0) console.log(`[noloss ${name}] duplicates (id×copies): ${duplicates.slice(0, 50).map(([id, n]) => `${id}×${n}`).join(' ')}${duplicates.length > 50 ? ' …' : ''}`);
  if (missing.length > 0) console.log(`[noloss ${name}] MISSING: ${missing.slice(0, 50).join(' ')}`);
  return { missing, duplicates, deadLettered: sink.deadLettered.size };
}
