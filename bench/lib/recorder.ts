/**
 * The harness side of a receiving process (the sink, a bare consumer): fork its compiled worker and talk to it
 * over IPC (sink-protocol.ts). Each lives in its own process so its event loop never competes with the
 * harness's producers, as the adapter's does not.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { SinkReply, SinkRequest, SinkStats } from './sink-protocol.js';

export interface BenchRecorder {
  pid: number;
  /** Forgets every receipt; events produced before `measureFromMs` then count as settling (sink-protocol.ts). */
  reset(measureFromMs?: number): Promise<void>;
  stats(): Promise<SinkStats>;
  /** Resolves once `count` receipts arrived since the last reset; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

type RequestBody = SinkRequest extends infer R ? (R extends SinkRequest ? Omit<R, 'id'> : never) : never;
/** The worker's first message: it listens (the sink) or consumes (a bare consumer). */
export type StartedReply = Extract<SinkReply, { type: 'listening' | 'ready' }>;

export async function forkRecorder(script: string, args: string[], startMs = 60_000): Promise<{ recorder: BenchRecorder; started: StartedReply }> {
  const child: ChildProcess = fork(script, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] /* plain node: not the harness's tsx loader */ });
  const pending = new Map<number, (m: SinkReply) => void>();
  let nextId = 1;
  const started = await new Promise<StartedReply>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${startMs} ms`));
    }, startMs);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.on('message', (raw: unknown) => {
      const m = raw as SinkReply;
      if (m.type === 'listening' || m.type === 'ready') {
        clearTimeout(timer);
        resolve(m);
      } else pending.get(m.id)?.(m);
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
  const recorder: BenchRecorder = {
    pid: child.pid ?? 0,
    reset: async (measureFromMs) => {
      await call(measureFromMs === undefined ? { type: 'reset' } : { type: 'reset', measureFromMs });
    },
    stats: async () => {
      const m = await call({ type: 'stats' });
      if (m.type !== 'stats') throw new Error(`${script} answered stats with something else`);
      return m;
    },
    waitFor: async (count, timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${script} got fewer than ${count} events within ${timeoutMs} ms`)), timeoutMs);
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
  return { recorder, started };
}
