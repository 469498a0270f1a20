import { HeadwaterError } from '../../lib/errors.js';

/** Condition reasons a sink resolution failure maps to (Knative's SinkProvided reasons plus SinkInvalid for a bad URI). */
export type SinkFailureReason = 'SinkNotFound' | 'SinkNotAddressable' | 'SinkInvalid';

/**
 * A Destination that cannot be turned into a URI. `field` names the spec path (e.g. `spec.sink.ref`) so the
 * condition message tells the user where to look; `reason` becomes the condition reason.
 */
export class SinkResolutionError extends HeadwaterError {
  readonly reason: SinkFailureReason;
  readonly field: string;

  constructor(reason: SinkFailureReason, field: string, message: string, context: Record<string, unknown> = {}) {
    super(reason, `${field}: ${message}`, { field, ...context });
    this.reason = reason;
    this.field = field;
  }
}
