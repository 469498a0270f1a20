/**
 * Structured JSON logs, one object per line on stdout, shared by the controller and every adapter.
 * Kept dependency-free: the fields are few and fixed, and a logging framework would cost start-up time
 * in every adapter process.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; tests pass an array sink. */
  write?: (line: string) => void;
}

function parseLevel(raw: string | undefined): LogLevel {
  return raw === 'debug' || raw === 'info' || raw === 'warn' || raw === 'error' ? raw : 'info';
}

/** Errors do not serialise with JSON.stringify; turn them into plain fields (with their cause chain). */
function plain(value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: value.message };
    const withCode = value as Error & { code?: unknown };
    if (withCode.code !== undefined) out.code = withCode.code;
    if (value.cause !== undefined) out.cause = plain(value.cause);
    return out;
  }
  return value;
}

export function createLogger(base: LogFields = {}, options: LoggerOptions = {}): Logger {
  const min = levelRank[options.level ?? parseLevel(process.env.LOG_LEVEL)];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (levelRank[level] < min) return;
    const record: Record<string, unknown> = { ts: new Date().toISOString(), level, msg, ...base };
    if (fields) for (const [k, v] of Object.entries(fields)) record[k] = plain(v);
    write(JSON.stringify(record));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, options),
  };
}
