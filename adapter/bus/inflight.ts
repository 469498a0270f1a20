/**
 * Back-pressure for a stream of work: `admit` waits until fewer than `limit` tasks run, then starts one and
 * returns without waiting for it, so a pull loop never reads further ahead than it can deliver.
 * (p-limit bounds running tasks but queues without bound, which is what a pull loop must not do.)
 */
export class InFlight {
  readonly #limit: number;
  readonly #running = new Set<Promise<void>>();

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  get size(): number {
    return this.#running.size;
  }

  /** `task` must not reject: it owns its errors (the pull loops turn them into nak / no-ack). */
  async admit(task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.#limit) await Promise.race(this.#running);
    const p = task().finally(() => this.#running.delete(p));
    this.#running.add(p);
  }

  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }
}
