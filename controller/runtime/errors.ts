/**
 * The API errors a Writer throws, re-exported so reconcilers can test `err instanceof NotFoundError`
 * without reaching into lib/kube.
 */
export {
  AlreadyExistsError,
  ConflictError,
  ConnectionError,
  ForbiddenError,
  GoneError,
  InvalidError,
  KubeApiError,
  NotFoundError,
  ServerError,
  TooManyRequestsError,
  UnauthorizedError,
} from '../../lib/kube/errors.js';
import { HeadwaterError } from '../../lib/errors.js';

/** A Writer call with an object the API would reject anyway; names the missing field. */
export class ObjectShapeError extends HeadwaterError {
  constructor(field: string, kind: string, fix: string) {
    super('ObjectShape', `${kind}: ${field} is missing. ${fix}`, { field, kind });
  }
}
