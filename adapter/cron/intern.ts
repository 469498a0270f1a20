/**
 * One shared copy of a value many CronSources hold alike, keyed by its text: 10,000 sources usually name a
 * handful of outputs, and each kept its own output object, output key and fingerprint (~0.8 KB of the ~1.3 KB a
 * source held at rest; bench/README.md, cron fan-out). Values must be treated as immutable. Bounded, so a stream
 * of distinct values cannot grow it without limit: past the bound the oldest entry is forgotten (later sources
 * then get their own copy again, which is only memory).
 */
export class InternTable<V> {
  private readonly values = new Map<string, V>();

  constructor(private readonly max: number) {}

  /** The value already kept for `text`, or `make(text)` kept from now on. */
  get(text: string, make: (text: string) => V): V {
    const known = this.values.get(text);
    if (known !== undefined) return known;
    const value = make(text);
    if (this.values.size >= this.max) this.values.delete(this.values.keys().next().value as string);
    this.values.set(text, value);
    return value;
  }
}
