/**
 * Watching a real adapter child process (test/support/adapter-process.ts) against a server that requires
 * credentials: it either becomes ready (its `ready` log line and /readyz 200), or it is refused, and then the test
 * wants the log line that says why and proof it never turned ready.
 */
import type { AdapterProcess } from '../adapter-process.js';

export async function readyStatus(a: AdapterProcess): Promise<number | undefined> {
  const base = (await a.healthUrl()).replace(/\/$/, '');
  const res = await fetch(`${base}/readyz`).catch(() => undefined);
  return res?.status;
}

/** Resolves once /readyz answers 200; rejects (with the adapter's last lines) if it exits or times out first. */
export async function waitReady(a: AdapterProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void a.exited.then(() => {
    exited = true;
  });
  while ((await readyStatus(a)) !== 200) {
    if (exited || Date.now() > deadline) {
      throw new Error(`adapter not ready (${exited ? 'exited' : 'timed out'}):\n${tail(a)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Refusal {
  /** The first warn/error line that matched. */
  line: Record<string, unknown>;
  /** The whole line as JSON, to match a reason anywhere in it (the error's cause chain included). */
  text: string;
  /** Whether the adapter ever logged `ready`. */
  everReady: boolean;
  /** Exit code once it was stopped (or exited on its own). */
  exitCode: number | null;
  /** Whether it exited on its own (a start-up failure) rather than being stopped by the test. */
  exitedByItself: boolean;
  /** Whether the first SIGTERM was not enough and the second ("exit at once") was needed. */
  neededSecondSignal: boolean;
}

/**
 * SIGTERM; if it has not exited after `graceMs`, SIGTERM again (the documented "a second signal exits at once"):
 * an adapter still connecting at start-up does not finish its first shutdown until the connection gives up.
 */
export async function stopFirmly(a: AdapterProcess, graceMs = 3_000): Promise<{ exitCode: number | null; neededSecondSignal: boolean }> {
  const stopping = a.stop();
  const first = await Promise.race([stopping.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs))]);
  if (!first) a.child.kill('SIGTERM');
  return { exitCode: await stopping, neededSecondSignal: !first };
}

/**
 * Waits for a warn/error line matching `pattern`, lets the adapter settle for `settleMs` (it may be exiting), then
 * stops it if it still runs.
 */
export async function waitForRefusal(a: AdapterProcess, pattern: RegExp, timeoutMs = 30_000, settleMs = 3_000, stopGraceMs = 1_500): Promise<Refusal> {
  const line = await a.waitForLog((l) => (l.level === 'error' || l.level === 'warn') && pattern.test(JSON.stringify(l)), timeoutMs).catch((err: unknown) => {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${tail(a)}`);
  });
  let exitedByItself = false;
  await Promise.race([
    a.exited.then(() => {
      exitedByItself = true;
    }),
    new Promise((r) => setTimeout(r, settleMs)),
  ]);
  const byItself = exitedByItself;
  const { exitCode, neededSecondSignal } = await stopFirmly(a, stopGraceMs);
  return { line, text: JSON.stringify(line), everReady: a.logs.some((l) => l.msg === 'ready'), exitCode, exitedByItself: byItself, neededSecondSignal };
}

export function tail(a: AdapterProcess, n = 15): string {
  return [...a.logs.slice(-n).map((l) => JSON.stringify(l)), ...a.stderr.slice(-5)].join('\n');
}

/** Everything the adapter wrote, to search for leaked secrets. */
export function allOutput(a: AdapterProcess): string {
  return [...a.logs.map((l) => JSON.stringify(l)), ...a.stderr].join('\n');
}
