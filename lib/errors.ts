/**
 * The base of every typed error in Headwater: a stable `code` for programs, a message for people,
 * and the context (field, object, URL…) that makes the message actionable.
 */
export class HeadwaterError extends Error {
  readonly code: string;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }
}

/** Bad configuration handed to a process (an env variable, a flag): it names the variable and the fix. */
export class ConfigError extends HeadwaterError {
  constructor(variable: string, problem: string, fix: string, options?: { cause?: unknown }) {
    super('ConfigError', `${variable}: ${problem}. ${fix}`, { variable }, options);
  }
}
