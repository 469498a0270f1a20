/**
 * The abort signal of one delivery attempt (its deadline, or the process shutting down), in the EventEmitter
 * form undici accepts besides AbortSignal: `aborted`, `reason`, and `on`/`once`/`removeListener` for 'abort'
 * (undici adds one listener and removes it when the request ends). On Node 20 an AbortController's signal is an
 * EventTarget that costs several µs to create, adding and removing a listener on the long-lived shutdown signal
 * per attempt costs as much again, and even a bare EventEmitter's constructor showed in a profile; at thousands
 * of events per second each was visible (bench/README.md). Here one listener on the shutdown signal serves
 * every attempt in flight.
 */
type Listener = () => void;

export class AttemptSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: Listener[] | undefined;

  on(event: string, listener: Listener): this {
    if (event !== 'abort') return this;
    if (this.#listeners === undefined) this.#listeners = [listener];
    else this.#listeners.push(listener);
    return this;
  }

  /** 'abort' fires at most once, so `once` is `on`. */
  once(event: string, listener: Listener): this {
    return this.on(event, listener);
  }

  removeListener(event: string, listener: Listener): this {
    const ls = this.#listeners;
    if (event === 'abort' && ls !== undefined) {
      const i = ls.indexOf(listener);
      if (i >= 0) ls.splice(i, 1);
    }
    return this;
  }

  off(event: string, listener: Listener): this {
    return this.removeListener(event, listener);
  }

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const ls = this.#listeners;
    this.#listeners = undefined;
    if (ls !== undefined) for (const listener of ls) listener();
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
