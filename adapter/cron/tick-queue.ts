/**
 * Fired ticks waiting for a delivery slot, oldest first, as compact (source, instant, lateness) entries in three
 * parallel arrays. The tick's CloudEvent is built only when it gets its slot: at 10,000 per-second sources a
 * round of 10,000 ticks waits here at once, and holding each as an event with its emit promise chain made them
 * live long enough to be promoted to the old generation, which set the adapter's RSS and its GC pauses
 * (bench/README.md, cron fan-out).
 */
export interface QueuedTick<T> {
  item: T;
  scheduledMs: number;
  lateMs: number | undefined;
}

/** Taken entries are not removed one by one; the arrays are trimmed once this many lead them. */
const trimAfter = 4096;

export class TickQueue<T> {
  #items: (T | undefined)[] = [];
  #scheduled: number[] = [];
  /** NaN: on time (no lateness to report). */
  #late: number[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T, scheduledMs: number, lateMs: number | undefined): void {
    this.#items.push(item);
    this.#scheduled.push(scheduledMs);
    this.#late.push(lateMs ?? Number.NaN);
  }

  /** The oldest entry, removed; undefined when empty. */
  shift(): QueuedTick<T> | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const i = this.#head++;
    const item = this.#items[i] as T;
    const late = this.#late[i] as number;
    const tick: QueuedTick<T> = { item, scheduledMs: this.#scheduled[i] as number, lateMs: Number.isNaN(late) ? undefined : late };
    this.#items[i] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#scheduled = [];
      this.#late = [];
      this.#head = 0;
    } else if (this.#head >= trimAfter && this.#head * 2 >= this.#items.length) {
      // A backlog that never quite empties: drop the taken lead so the arrays stay as long as the queue.
      this.#items.splice(0, this.#head);
      this.#scheduled.splice(0, this.#head);
      this.#late.splice(0, this.#head);
      this.#head = 0;
    }
    return tick;
  }
}
