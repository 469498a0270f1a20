/**
 * AdmissionReview (admission.k8s.io/v1) in, AdmissionReview out: pure, so the HTTP edge stays thin and
 * every decision is unit-testable.
 */
import { isDeepStrictEqual } from 'node:util';
import { findKind } from '../../api/kinds.js';
import { type FieldError, formatFieldErrors, validateObject } from '../../api/validation/index.js';

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  namespace?: string;
  name?: string;
  object?: unknown;
  oldObject?: unknown;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: {
    code: number;
    reason: string;
    message: string;
  };
  warnings?: string[];
}

export interface AdmissionReview {
  apiVersion: 'admission.k8s.io/v1';
  kind: 'AdmissionReview';
  request?: AdmissionRequest;
  response?: AdmissionResponse;
}

export class BadAdmissionReview extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the envelope; the object inside is judged by validateObject. */
export function parseAdmissionReview(body: unknown): AdmissionRequest {
  if (!isRecord(body) || body.apiVersion !== 'admission.k8s.io/v1' || body.kind !== 'AdmissionReview') {
    throw new BadAdmissionReview('expected an admission.k8s.io/v1 AdmissionReview');
  }
  const req = body.request;
  if (!isRecord(req) || typeof req.uid !== 'string' || !isRecord(req.kind) || typeof req.operation !== 'string') {
    throw new BadAdmissionReview('AdmissionReview.request needs uid, kind and operation');
  }
  const kind = req.kind as Record<string, unknown>;
  return {
    uid: req.uid,
    kind: { group: String(kind.group ?? ''), version: String(kind.version ?? ''), kind: String(kind.kind ?? '') },
    operation: req.operation as AdmissionRequest['operation'],
    ...(typeof req.namespace === 'string' && req.namespace !== '' ? { namespace: req.namespace } : {}),
    ...(typeof req.name === 'string' ? { name: req.name } : {}),
    object: req.object,
    oldObject: req.oldObject,
  };
}

/**
 * No `details.causes`: kubectl prints causes *instead of* the message, which would drop both the object's
 * name and the "admission webhook … denied the request" prefix that tells users which layer refused.
 * Every cause is in the message already.
 */
function denied(uid: string, errors: readonly FieldError[], what: string): AdmissionResponse {
  return {
    uid,
    allowed: false,
    status: { code: 422, reason: 'Invalid', message: `${what} is invalid: ${formatFieldErrors(errors)}` },
  };
}

function specOf(obj: unknown): unknown {
  return isRecord(obj) ? obj.spec : undefined;
}

export function review(req: AdmissionRequest): AdmissionResponse {
  // Deletes and status writes are never judged: a bad object must always be removable.
  if (req.operation !== 'CREATE' && req.operation !== 'UPDATE') return { uid: req.uid, allowed: true };
  // Metadata-only updates (finalizers, labels, owner references) must go through even for an object that
  // stricter rules would now refuse, or the controller could never finish deleting it.
  if (req.operation === 'UPDATE' && isDeepStrictEqual(specOf(req.oldObject), specOf(req.object))) {
    return { uid: req.uid, allowed: true };
  }
  const kind = findKind(req.kind.group, req.kind.kind);
  if (!kind) {
    // Registered for our groups only; anything else means a misconfigured webhook, and refusing would block the cluster.
    return { uid: req.uid, allowed: true, warnings: [`headwater webhook: ${req.kind.group}/${req.kind.kind} is not a Headwater kind`] };
  }
  const errors = validateObject(kind, req.object, req.namespace);
  if (errors.length === 0) return { uid: req.uid, allowed: true };
  return denied(req.uid, errors, `${kind.kind} ${req.name ?? ''}`.trim());
}

export function admissionResponse(response: AdmissionResponse): AdmissionReview {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response };
}
