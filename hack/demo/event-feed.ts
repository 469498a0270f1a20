/**
 * The events event-display received, read from its `GET /events` (the last EVENT_DISPLAY_KEEP events, oldest
 * first) through its Service name, as any client in the cluster would reach it. Each poll hands on only
 * the deliveries not seen before.
 */
import type { DisplayedEvent } from '../../samples/functions/event-display/index.js';

export type { DisplayedEvent };

/** A delivery: the same event delivered twice (at-least-once) is two deliveries, told apart by receivedAt. */
function keyOf(e: DisplayedEvent): string {
  return `${String(e.attributes.source)}\u0000${String(e.attributes.id)}\u0000${e.path}\u0000${e.receivedAt}`;
}

export class EventFeed {
  private seen = new Set<string>();

  constructor(private readonly url: string) {}

  /** New deliveries since the last call; throws while event-display cannot be reached. */
  async poll(signal?: AbortSignal): Promise<DisplayedEvent[]> {
    const res = await fetch(this.url, { signal: signal ?? AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`GET ${this.url}: HTTP ${res.status}`);
    const events = (await res.json()) as DisplayedEvent[];
    const fresh: DisplayedEvent[] = [];
    const now = new Set<string>();
    for (const e of events) {
      const k = keyOf(e);
      now.add(k);
      if (!this.seen.has(k)) fresh.push(e);
    }
    // The list is a sliding window: a delivery missing from this answer never comes back, so forget it.
    this.seen = now;
    return fresh;
  }
}
