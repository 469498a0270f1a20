/**
 * The harness side of the benchmark sink: fork bench/workers/sink.js (compiled) and talk to it over IPC.
 * The sink lives in its own process so its event loop never competes with the harness's producers.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { SinkReply, SinkRequest, SinkStats } from './sink-protocol.js';

export interface BenchSink {
  url: string;
  pid: number;
  /** Forgets every receipt; events produced before `measureFromMs` then count as settling (sink-protocol.ts). */
  reset(measureFromMs?: number): Promise<void>;
  stats(): Promise<SinkStats>;
  /** Resolves once `count` receipts arrived since the last reset; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

type RequestBody = SinkRequest extends infer R ? (R extends SinkRequest ? Omit<R, 'id'> : never) : never;

export async function startSink(distDir: string): Promise<BenchSink> {
  const child: ChildProcess = fork(join(distDir, 'bench', 'workers', 'sink.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] /* plain node: not the harness's tsx loader */ });
  const pending = new Map<number, (m: SinkReply) => void>();
  let nextId = 1;
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
    child.on('message', (raw: unknown) => {
      const m = raw as SinkReply;
      if (m.type === 'listening') resolve(m.url);
      else pending.get(m.id)?.(m);
    });
  });
  const call = (body: RequestBody): Promise<SinkReply> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, (m) => {
        pending.delete(id);
        resolve(m);
      });
      child.send({ ...body, id } as SinkRequest);
    });
  return {
    url,
    pid: child.pid ?? 0,
    reset: async (measureFromMs) => {
      await call(measureFromMs === undefined ? { type: 'reset' } : { type: 'reset', measureFromMs });
    },
    stats: async () => {
      const m = await call({ type: 'stats' });
      if (m.type !== 'stats') throw new Error('sink answered stats with something else');
      return m;
    },
    waitFor: async (count, timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`sink got fewer than ${count} events within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([call({ type: 'wait', count }), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      await call({ type: 'close' });
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}
