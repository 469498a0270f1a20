/**
 * The abort signal of one delivery attempt (its deadline, or the process shutting down), in the EventEmitter
 * form undici accepts besides AbortSignal (`aborted`, `reason`, an 'abort' event). On Node 20 an
 * AbortController's signal is an EventTarget that costs several µs to create, and adding and removing a
 * listener on the long-lived shutdown signal per attempt costs as much again; at thousands of events per
 * second both showed in CPU profiles (bench/README.md). Here one listener on the shutdown signal serves every
 * attempt in flight.
 */
import { EventEmitter } from 'node:events';

export class AttemptSignal extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}

const live = new WeakMap<AbortSignal, Set<AttemptSignal>>();

function attemptsOf(shutdown: AbortSignal): Set<AttemptSignal> {
  let set = live.get(shutdown);
  if (set === undefined) {
    const attempts = new Set<AttemptSignal>();
    set = attempts;
    live.set(shutdown, attempts);
    shutdown.addEventListener(
      'abort',
      () => {
        for (const a of attempts) a.abort();
      },
      { once: true },
    );
  }
  return set;
}

/** A signal for one attempt that aborts when `shutdown` does; `release` it when the attempt ends. */
export function attemptSignal(shutdown: AbortSignal | undefined): { signal: AttemptSignal; release: () => void } {
  const signal = new AttemptSignal();
  if (shutdown === undefined) return { signal, release: noop };
  if (shutdown.aborted) {
    signal.abort();
    return { signal, release: noop };
  }
  const attempts = attemptsOf(shutdown);
  attempts.add(signal);
  return { signal, release: () => attempts.delete(signal) };
}

function noop(): void {}
