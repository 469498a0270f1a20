/**
 * JetStream acks of one event-loop turn, sent together. nats.js writes what is queued in one microtask as one
 * socket write, but each delivery finishes in a callback of its own, so acking at once meant one write per
 * message (the largest self-time item in a profile of the dispatcher; bench/README.md). An ack still goes out
 * only after its message was handled: `ack` is called then, and the turn's acks leave in a `setImmediate`.
 */
import type { JsMsg } from '@nats-io/jetstream';

export class TurnAcks {
  #queued: JsMsg[] = [];

  ack(m: JsMsg): void {
    if (this.#queued.length === 0) setImmediate(this.flush);
    this.#queued.push(m);
  }

  /** Sends what is queued now (also at close, so nothing handled is left unacked). */
  readonly flush = (): void => {
    const batch = this.#queued;
    this.#queued = [];
    for (const m of batch) m.ack();
  };
}
