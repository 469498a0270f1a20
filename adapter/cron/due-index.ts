/**
 * Every scheduled source keyed by its next fire instant, so one process-wide timer can wake for the earliest
 * instant and take every source due then in one pass. Sources on the same schedule share an instant, so the
 * index holds one bucket per distinct instant and a binary min-heap of those instants: adding or moving a
 * source is O(1) plus O(log distinct instants) for a new instant, instead of one timer per source.
 */
export class DueIndex<T> {
  private readonly buckets = new Map<number, Set<T>>();
  /** Distinct instants; an instant whose bucket emptied stays here until it is popped (lazy deletion). */
  private readonly heap: number[] = [];

  add(atMs: number, item: T): void {
    const bucket = this.buckets.get(atMs);
    if (bucket !== undefined) {
      bucket.add(item);
      return;
    }
    this.buckets.set(atMs, new Set([item]));
    this.push(atMs);
  }

  delete(atMs: number, item: T): void {
    const bucket = this.buckets.get(atMs);
    if (bucket === undefined) return;
    bucket.delete(item);
    if (bucket.size === 0) this.buckets.delete(atMs);
  }

  /** The earliest instant that still has a source, or undefined when nothing is scheduled. */
  earliest(): number | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0] as number;
      if (this.buckets.has(top)) return top;
      this.pop();
    }
    return undefined;
  }

  /** Remove and return every source due at or before `nowMs`, earliest instant first. */
  takeDue(nowMs: number): { atMs: number; items: Set<T> }[] {
    const out: { atMs: number; items: Set<T> }[] = [];
    for (let at = this.earliest(); at !== undefined && at <= nowMs; at = this.earliest()) {
      this.pop();
      const items = this.buckets.get(at);
      this.buckets.delete(at);
      if (items !== undefined) out.push({ atMs: at, items });
    }
    return out;
  }

  clear(): void {
    this.buckets.clear();
    this.heap.length = 0;
  }

  private push(v: number): void {
    const h = this.heap;
    h.push(v);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as number) <= v) break;
      h[i] = h[parent] as number;
      i = parent;
    }
    h[i] = v;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && (h[r] as number) < (h[l] as number) ? r : l;
      if ((h[c] as number) >= last) break;
      h[i] = h[c] as number;
      i = c;
    }
    h[i] = last;
  }
}
