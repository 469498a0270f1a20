import { HeadwaterError } from '../../lib/errors.js';

/** The bus backend refused or did not confirm a write: the event is NOT safe and the caller must not ack its source. */
export class BusPublishError extends HeadwaterError {
  constructor(backend: string, topic: string, eventId: string, cause: unknown) {
    super(
      'BusPublishError',
      `publishing event ${eventId} to ${backend} bus topic ${topic} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      { backend, topic, eventId },
      { cause },
    );
  }
}

/** A bus message that is not a structured-mode CloudEvent (someone else wrote to the topic, or it was corrupted). */
export class BusDecodeError extends HeadwaterError {
  constructor(reason: string, context: Record<string, unknown> = {}) {
    super('BusDecodeError', `bus message is not a structured JSON CloudEvent: ${reason}`, context);
  }
}

/** The backend could not be reached or set up (stream, group, topic creation). */
export class BusConnectError extends HeadwaterError {
  constructor(backend: string, target: string, cause: unknown) {
    super(
      'BusConnectError',
      `cannot reach the ${backend} event bus at ${target}: ${cause instanceof Error ? cause.message : String(cause)}. Check the EventBus address and credentials.`,
      { backend, target },
      { cause },
    );
  }
}
