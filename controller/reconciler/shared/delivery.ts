/** The K_DELIVERY variable: the DeliverySpec with its dead-letter Destination already resolved to a URI. */
import type { DeliverySpec } from '../../../api/index.js';
import type { SinkLookup } from '../../sink/resolve.js';
import { resolveDestination } from '../../sink/resolve.js';
import { stableJson } from './json.js';

export interface ResolvedDelivery {
  retry?: number;
  backoffPolicy?: 'linear' | 'exponential';
  backoffDelay?: string;
  timeout?: string;
  deadLetterSinkUri?: string;
}

/** Throws SinkResolutionError (field `${field}.deadLetterSink…`) when the dead-letter sink cannot be resolved. */
export function resolveDelivery(
  delivery: DeliverySpec | undefined,
  namespace: string,
  field: string,
  lookup: SinkLookup,
): ResolvedDelivery | undefined {
  if (delivery === undefined) return undefined;
  const { deadLetterSink, ...rest } = delivery;
  const out: ResolvedDelivery = { ...rest };
  if (deadLetterSink !== undefined) {
    out.deadLetterSinkUri = resolveDestination(deadLetterSink, { namespace, field: `${field}.deadLetterSink` }, lookup).uri;
  }
  return out;
}

export function deliveryJson(delivery: ResolvedDelivery): string {
  return stableJson(delivery);
}
