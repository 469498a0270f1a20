import { HeadwaterError } from '../../lib/errors.js';

/** One thing wrong with one field: where, what, and what would be accepted instead. */
export interface FieldError {
  /** Dotted path as kubectl prints it: `spec.subscribers[0].condition`. */
  path: string;
  problem: string;
  allowed?: string;
}

export function formatFieldError(e: FieldError): string {
  return e.allowed ? `${e.path}: ${e.problem}; allowed: ${e.allowed}` : `${e.path}: ${e.problem}`;
}

export function formatFieldErrors(errors: readonly FieldError[]): string {
  return errors.map(formatFieldError).join('; ');
}

/** Thrown where a caller wants an exception rather than a list (e.g. a CLI reading a manifest). */
export class ValidationError extends HeadwaterError {
  readonly errors: readonly FieldError[];
  constructor(object: string, errors: readonly FieldError[]) {
    super('ValidationError', `${object} is invalid: ${formatFieldErrors(errors)}`, {
      object,
      paths: errors.map((e) => e.path),
    });
    this.errors = errors;
  }
}

/** JSON pointer (`/spec/subscribers/0/condition`) → kubectl-style path (`spec.subscribers[0].condition`). */
export function pointerToPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (/^[0-9]+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}
