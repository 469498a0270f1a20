/**
 * Typed failures of the adapter runtime. A DeliveryError means "the event is NOT safe": the caller must not
 * acknowledge or commit its source position, so the source redelivers it.
 */
import { HeadwaterError } from '../../lib/errors.js';

export type DeliveryFailureKind =
  | 'http-status' // the sink answered, but not 2xx
  | 'timeout' // no complete answer within the per-request timeout
  | 'network' // connection refused/reset, TLS failure, DNS…
  | 'too-large' // the encoded event is over the adapter's size limit
  | 'shutting-down' // the process is stopping; the event was abandoned before it was safe
  | 'not-configured'; // there is nowhere to send it (no K_SINK and no K_EVENT_BUS_CONFIG)

export class DeliveryError extends HeadwaterError {
  readonly kind: DeliveryFailureKind;
  /** Whether trying again later could succeed; a poison event (too large, rejected with 400) cannot. */
  readonly retryable: boolean;
  readonly attempts: number;

  constructor(
    kind: DeliveryFailureKind,
    message: string,
    details: { eventId?: string; target?: string; status?: number; attempts: number; retryable: boolean },
    options?: { cause?: unknown },
  ) {
    super('DeliveryError', message, { kind, ...details }, options);
    this.kind = kind;
    this.retryable = details.retryable;
    this.attempts = details.attempts;
  }
}

/** A failure retrying cannot cure (too large, refused as bad) after any dead-letter sink also failed to take it. */
export function isUndeliverable(err: unknown): err is DeliveryError {
  return err instanceof DeliveryError && !err.retryable;
}
