/**
 * Paces the offset commits of a consumer: at most one commit in flight, at most one started per interval, never
 * awaited by a delivery, and a trailing commit for what was resolved after the last one started, so progress is
 * committed within about an interval even when no later record pokes it.
 *
 * Why not kafkajs' own: with `autoCommit` it commits after every batch, and at moderate rates batches are a few
 * records, so a consumer at 7,000 records/s sent ~1,260 OffsetCommits a second, each awaited before the next fetch
 * (bench/README.md). Awaiting `commitOffsetsIfNecessary()` after every resolved record (an earlier version) held
 * a delivery slot for a broker round trip. What is committed is unchanged: only offsets resolved for the
 * contiguous delivered prefix, so a commit never passes an undelivered record.
 */
export class CommitPacer {
  #inFlight: Promise<void> | undefined;
  #lastStartMs = Number.NEGATIVE_INFINITY;
  /** The latest commit asked for and not started yet (it commits everything resolved when it starts). */
  #pending: (() => Promise<void>) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Asks for `commit`: started now if allowed, else once the one in flight ended and the interval passed. */
  poke(commit: () => Promise<void>): void {
    this.#pending = commit;
    this.#tryStart();
  }

  /** Starts what is pending at once (interval or not) and resolves when no commit is in flight or pending. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.#inFlight !== undefined) {
        await this.#inFlight;
        continue;
      }
      if (this.#pending === undefined) return;
      this.#start();
    }
  }

  /** Drops what is pending and the timer (the consumer is gone; a commit now could only fail). */
  cancel(): void {
    this.#pending = undefined;
    this.#clearTimer();
  }

  #tryStart(): void {
    if (this.#inFlight !== undefined || this.#pending === undefined) return;
    const waitMs = this.#lastStartMs + this.intervalMs - this.now();
    if (waitMs <= 0) {
      this.#start();
      return;
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#tryStart();
      }, waitMs);
      // A pending commit must not keep a stopping process alive; stop flushes it.
      this.#timer.unref?.();
    }
  }

  #start(): void {
    const commit = this.#pending;
    if (commit === undefined) return;
    this.#pending = undefined;
    this.#clearTimer();
    this.#lastStartMs = this.now();
    let settled: Promise<void>;
    try {
      settled = commit().then(undefined, this.onError);
    } catch (err) {
      this.onError(err);
      settled = Promise.resolve();
    }
    this.#inFlight = settled.then(() => {
      this.#inFlight = undefined;
      this.#tryStart();
    });
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
