/**
 * A bound on tasks running at once, with a FIFO of the ones waiting: what p-limit does, with a counter and an
 * array instead of a queue object, a closure and an async function per task, and without the caller keeping a
 * Set of promises to know when all are done (`idle`). The emitter runs every event through one of these.
 */
export class Slots {
  readonly #max: number;
  #running = 0;
  #waiting: ((() => void) | undefined)[] = [];
  #head = 0;
  #idle: (() => void)[] = [];

  constructor(max: number) {
    this.#max = Math.max(1, Math.floor(max));
  }

  /** Tasks started and not yet settled. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length - this.#head;
  }

  /** Runs `task` once a slot is free; settles as it does. */
  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.#max) {
      this.#running++;
      return this.#start(task);
    }
    // The slot is handed over by #release without being given back, so `running` stays at the bound.
    return new Promise<void>((resolve) => this.#waiting.push(resolve)).then(() => this.#start(task));
  }

  /** Resolves when nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (this.#running === 0 && this.waiting === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #start<T>(task: () => Promise<T>): Promise<T> {
    let p: Promise<T>;
    try {
      p = task();
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(this.#release, this.#release);
    return p;
  }

  readonly #release = (): void => {
    if (this.#head < this.#waiting.length) {
      const next = this.#waiting[this.#head]!;
      this.#waiting[this.#head++] = undefined;
      if (this.#head === this.#waiting.length) {
        this.#waiting = [];
        this.#head = 0;
      } else if (this.#head >= 1024 && this.#head * 2 >= this.#waiting.length) {
        this.#waiting = this.#waiting.slice(this.#head);
        this.#head = 0;
      }
      next();
      return;
    }
    this.#running--;
    if (this.#running === 0 && this.#idle.length > 0) {
      const idle = this.#idle;
      this.#idle = [];
      for (const resolve of idle) resolve();
    }
  };
}
