/**
 * Emit for a source that acknowledges what it read (Kafka offset commit, Redis XACK). A retryable failure
 * propagates, so the read is not acknowledged and comes back. An undeliverable event is reported through
 * `onUndeliverable` and swallowed, so the caller acknowledges it: redelivering it could only fail again and
 * would stall the partition or stream behind it forever.
 */
import type { CloudEvent } from 'cloudevents';
import type { Emitter } from './emitter.js';
import { type DeliveryError, isUndeliverable } from './errors.js';

export async function emitOrSkipUndeliverable(
  emitter: Emitter,
  event: CloudEvent<unknown>,
  onUndeliverable: (err: DeliveryError) => void,
): Promise<void> {
  try {
    await emitter.emit(event);
  } catch (err) {
    if (!isUndeliverable(err)) throw err;
    onUndeliverable(err);
  }
}
