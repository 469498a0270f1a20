/**
 * Which offset of a batch may be committed when records finish out of order (unordered mode): only the end
 * of the contiguous delivered prefix. Committing past an undelivered record would lose it on a restart.
 */
export class ContiguousPrefix {
  readonly #offsets: readonly string[];
  readonly #done: boolean[];
  #prefix = 0;

  /** `offsets` in partition order, as kafkajs gives them (strings: they can exceed 2^53). */
  constructor(offsets: readonly string[]) {
    this.#offsets = offsets;
    this.#done = offsets.map(() => false);
  }

  /**
   * Marks the record at `index` delivered. Returns the offset to resolve if the contiguous prefix grew,
   * else undefined (an earlier record is still in flight).
   */
  markDone(index: number): string | undefined {
    if (index < 0 || index >= this.#done.length) throw new RangeError(`index ${index} outside batch of ${this.#done.length}`);
    this.#done[index] = true;
    const before = this.#prefix;
    while (this.#prefix < this.#done.length && this.#done[this.#prefix]) this.#prefix++;
    return this.#prefix > before ? this.#offsets[this.#prefix - 1] : undefined;
  }

  /** Offset of the last record of the delivered prefix, or undefined when the first is not delivered. */
  get committable(): string | undefined {
    return this.#prefix === 0 ? undefined : this.#offsets[this.#prefix - 1];
  }

  get complete(): boolean {
    return this.#prefix === this.#done.length;
  }
}
