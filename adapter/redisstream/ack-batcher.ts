/**
 * XACK for delivered entries, coalesced: at most one XACK in flight per reader; the ids delivered while it is
 * on the wire go together in the next one. At a low rate every entry still gets its own XACK at once; at a high
 * rate one command acknowledges many entries, instead of one socket write and one reply per entry (the largest
 * self-time item in a profile of the adapter: bench/README.md). An id is only ever handed in after its delivery,
 * so nothing is acknowledged early; a failed XACK leaves its entries pending, to be delivered again.
 */
export type XAck = (ids: string[]) => Promise<unknown>;

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** Ids per XACK: a bound on one command's size, far above what one round trip accumulates in practice. */
export const maxIdsPerAck = 1000;

export class AckBatcher {
  readonly #xack: XAck;
  #ids: string[] = [];
  #waiters: Waiter[] = [];
  #inFlight = false;

  constructor(xack: XAck) {
    this.#xack = xack;
  }

  /** Resolves once an XACK holding `id` was answered; rejects with that XACK's error. */
  ack(id: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#ids.push(id);
      this.#waiters.push({ resolve, reject });
      if (!this.#inFlight) this.#flush();
    });
  }

  #flush(): void {
    if (this.#ids.length === 0) return;
    const ids = this.#ids.length <= maxIdsPerAck ? this.#ids : this.#ids.slice(0, maxIdsPerAck);
    const waiters = this.#waiters.length <= maxIdsPerAck ? this.#waiters : this.#waiters.slice(0, maxIdsPerAck);
    if (ids === this.#ids) {
      this.#ids = [];
      this.#waiters = [];
    } else {
      this.#ids = this.#ids.slice(maxIdsPerAck);
      this.#waiters = this.#waiters.slice(maxIdsPerAck);
    }
    this.#inFlight = true;
    const settle = (err?: unknown): void => {
      this.#inFlight = false;
      if (err === undefined) for (const w of waiters) w.resolve();
      else for (const w of waiters) w.reject(err);
      this.#flush();
    };
    this.#xack(ids).then(
      () => settle(),
      (err: unknown) => settle(err ?? new Error('XACK failed')),
    );
  }
}
