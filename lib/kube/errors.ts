/**
 * API errors by meaning, so callers can write `instanceof NotFoundError` instead of comparing status codes.
 * Each carries the request and the server's Status reason/message as context.
 */
import { HeadwaterError } from '../errors.js';

export interface ApiErrorContext {
  method: string;
  path: string;
  status?: number;
  reason?: string;
  [key: string]: unknown;
}

export class KubeApiError extends HeadwaterError {
  readonly status: number | undefined;
  readonly reason: string | undefined;
  constructor(code: string, message: string, context: ApiErrorContext, options?: { cause?: unknown }) {
    super(code, message, context, options);
    this.status = context.status;
    this.reason = context.reason;
  }
}

export class NotFoundError extends KubeApiError {}
export class AlreadyExistsError extends KubeApiError {}
export class ConflictError extends KubeApiError {}
export class GoneError extends KubeApiError {}
export class InvalidError extends KubeApiError {}
export class ForbiddenError extends KubeApiError {}
export class UnauthorizedError extends KubeApiError {}
export class TooManyRequestsError extends KubeApiError {}
export class ServerError extends KubeApiError {}
/** No HTTP answer at all: refused, reset, timed out. */
export class ConnectionError extends KubeApiError {}

interface StatusBody {
  reason?: string;
  message?: string;
}

/** Turn an HTTP status and the apiserver's Status body into the matching typed error. */
export function apiErrorFor(method: string, path: string, status: number, body: unknown): KubeApiError {
  const s: StatusBody = typeof body === 'object' && body !== null ? (body as StatusBody) : {};
  const reason = s.reason;
  const serverMessage = s.message ?? (typeof body === 'string' ? body.slice(0, 300) : '');
  const context: ApiErrorContext = { method, path, status, reason };
  const message = `${method} ${path}: ${status}${reason ? ` ${reason}` : ''}${serverMessage ? `: ${serverMessage}` : ''}`;
  if (status === 404) return new NotFoundError('NotFound', message, context);
  if (status === 409 && reason === 'AlreadyExists') return new AlreadyExistsError('AlreadyExists', message, context);
  if (status === 409) return new ConflictError('Conflict', message, context);
  if (status === 410) return new GoneError('Gone', message, context);
  if (status === 422) return new InvalidError('Invalid', message, context);
  if (status === 403) return new ForbiddenError('Forbidden', message, context);
  if (status === 401) return new UnauthorizedError('Unauthorized', message, context);
  if (status === 429) return new TooManyRequestsError('TooManyRequests', message, context);
  return new ServerError('ServerError', message, context);
}
