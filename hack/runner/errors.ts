import { HeadwaterError } from '../../lib/errors.js';

/** A container's environment cannot be built (missing Secret/ConfigMap/key, unsupported field path). */
export class ContainerConfigError extends HeadwaterError {
  constructor(container: string, message: string, context: Record<string, unknown> = {}) {
    super('CreateContainerConfigError', message, { container, ...context });
  }
}

/** The runner's own configuration is unusable (bad CIDR, exhausted range…). */
export class RunnerConfigError extends HeadwaterError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('RunnerConfigError', message, context);
  }
}
