/**
 * Back-pressure for a stream of work: `admit` waits until fewer than `limit` tasks run, then starts one and
 * returns without waiting for it, so a pull loop never reads further ahead than it can deliver.
 * (p-limit bounds running tasks but queues without bound, which is what a pull loop must not do.)
 * A counter and one waiter slot per caller, not a Set of promises raced on every admit: `Promise.race` over
 * the running set attached a handler to each running task on every admission (bench/README.md).
 */
export class InFlight {
  readonly #limit: number;
  #running = 0;
  #waiters: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  get size(): number {
    return this.#running;
  }

  /** `task` must not reject: it owns its errors (the pull loops turn them into nak / no-ack). */
  async admit(task: () => Promise<void>): Promise<void> {
    while (this.#running >= this.#limit) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    this.#running++;
    task().then(this.#done, this.#done);
  }

  async drain(): Promise<void> {
    while (this.#running > 0) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  readonly #done = (): void => {
    this.#running--;
    const waiters = this.#waiters;
    if (waiters.length === 0) return;
    this.#waiters = [];
    for (const wake of waiters) wake();
  };
}
