import { X509Certificate } from 'node:crypto';
import type { DeliverySpec } from '../duck/delivery.js';
import type { Destination } from '../duck/destination.js';
import type { FieldError } from './field-error.js';

function parseAbsolute(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

/** The PEM blocks in a bundle; each must parse as an X.509 certificate. */
function certificateErrors(pem: string, path: string): FieldError[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    return [{ path, problem: 'contains no PEM certificate', allowed: 'one or more "-----BEGIN CERTIFICATE-----" blocks' }];
  }
  const errors: FieldError[] = [];
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (err) {
      errors.push({
        path,
        problem: `certificate ${i + 1} does not parse (${(err as Error).message})`,
        allowed: 'PEM-encoded X.509 certificates',
      });
    }
  });
  return errors;
}

/**
 * Knative's Destination rules: a lone `uri` is an absolute http(s) URL; with `ref` the `uri` is resolved
 * against the ref's address, so it must be relative.
 */
export function validateDestination(dest: Destination, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (dest.uri !== undefined) {
    const url = parseAbsolute(dest.uri);
    if (dest.ref === undefined) {
      if (!url) {
        errors.push({
          path: `${path}.uri`,
          problem: `"${dest.uri}" is not an absolute URL`,
          allowed: 'an absolute http or https URL such as "http://event-display.default.svc.cluster.local", or set ref',
        });
      } else if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        errors.push({ path: `${path}.uri`, problem: `scheme "${url.protocol.slice(0, -1)}" is not supported`, allowed: 'http or https' });
      } else if (url.hostname === '') {
        errors.push({ path: `${path}.uri`, problem: `"${dest.uri}" has no host`, allowed: 'an absolute http or https URL with a host' });
      }
    } else if (url) {
      errors.push({
        path: `${path}.uri`,
        problem: 'is absolute although ref is set',
        allowed: 'a path relative to the address of ref (e.g. "/events"), or drop ref',
      });
    }
  }
  if (dest.CACerts !== undefined) errors.push(...certificateErrors(dest.CACerts, `${path}.CACerts`));
  return errors;
}

export function validateDelivery(delivery: DeliverySpec, path: string): FieldError[] {
  return delivery.deadLetterSink ? validateDestination(delivery.deadLetterSink, `${path}.deadLetterSink`) : [];
}
