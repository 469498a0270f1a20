/**
 * Paces the offset commits made inside long batches: at most one commit in flight, at most one started per
 * interval, and never awaited by a delivery. Awaiting `commitOffsetsIfNecessary()` after every resolved record
 * (with a 100-record threshold) held a delivery slot for a broker round trip and, once the interval or threshold
 * was reached, let every concurrent slot start its own OffsetCommit until the first one returned: unordered drain
 * fell from ~5,500–6,200 to ~3,200–4,000 ev/s (bench/README.md). What is committed is unchanged: only offsets
 * resolved for the contiguous delivered prefix, so a commit never passes an undelivered record.
 */
export class CommitPacer {
  #inFlight = false;
  #lastStartMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Start `commit` unless one is in flight or one started less than `intervalMs` ago. Returns at once. */
  poke(commit: () => Promise<void>): void {
    const now = this.now();
    if (this.#inFlight || now - this.#lastStartMs < this.intervalMs) return;
    this.#inFlight = true;
    this.#lastStartMs = now;
    commit().then(
      () => {
        this.#inFlight = false;
      },
      (err: unknown) => {
        this.#inFlight = false;
        this.onError(err);
      },
    );
  }
}
