/**
 * The controller ⇄ adapter environment contract (docs/architecture.md), parsed ONCE at start-up into a typed
 * AdapterConfig. Every malformed value is a ConfigError that names the variable and says how to fix it, so a
 * bad Deployment fails fast in CrashLoopBackOff with a readable log line instead of misbehaving later.
 */
import { isCeExtensionName, isReservedCeAttribute } from '../../api/ce-extension-names.js';
import type { BackoffPolicy } from '../../lib/backoff.js';
import { ConfigError } from '../../lib/errors.js';
import type { LogLevel } from '../../lib/log.js';
import { parseBusTopicConfig } from '../bus/config.js';
import type { BusTopicConfig } from '../bus/types.js';
import { isoDurationToMs } from './durations.js';
import { parseWatchNamespaces } from '../../lib/kube/watch-namespaces.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Retry and dead-letter policy for one target, with durations already in milliseconds. */
export interface DeliveryPolicy {
  /** Retries after the first attempt (0 = one attempt only). */
  retry: number;
  backoffPolicy: BackoffPolicy;
  backoffDelayMs: number;
  /** Upper bound of a single backoff delay, and of a delay a sink asks for with Retry-After. */
  maxDelayMs: number;
  deadLetterUri?: string;
}

export const secretEnvNames = [
  'KAFKA_SASL_USER',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_TLS_CA',
  'KAFKA_TLS_CERT',
  'KAFKA_TLS_KEY',
  'REDIS_PASSWORD',
  'REDIS_TLS_CA',
  'BUS_NATS_TOKEN',
  'BUS_REDIS_PASSWORD',
  'BUS_REDIS_TLS_CA',
  'BUS_KAFKA_SASL_USER',
  'BUS_KAFKA_SASL_PASSWORD',
  'BUS_KAFKA_TLS_CA',
  'BUS_KAFKA_TLS_CERT',
  'BUS_KAFKA_TLS_KEY',
] as const;
export type SecretEnvName = (typeof secretEnvNames)[number];

export interface AdapterConfig {
  /** K_SINK: absolute http(s) URL; absent on the bus path and for the multi-tenant cron adapter. */
  sink?: string;
  /** K_CE_OVERRIDES.extensions: added to every event this process sends. */
  ceOverrides: Readonly<Record<string, string>>;
  /** K_CA_CERTS: PEM bundle trusted (in addition to the system roots) for an HTTPS sink. */
  caCerts?: string;
  /** Per-request timeout: K_DELIVERY.timeout when set, else K_SINK_TIMEOUT (seconds, default 30). */
  timeoutMs: number;
  delivery: DeliveryPolicy;
  namespace?: string;
  name?: string;
  /** K_SOURCE_CONFIG as parsed JSON; each role validates its own shape. */
  sourceConfig?: unknown;
  /** K_EVENT_BUS_CONFIG, parsed by the bus package's own parser (secrets from the BUS_* variables). */
  eventBus?: BusTopicConfig;
  /** K_TRIGGER_CONFIG as parsed JSON; the trigger role validates it. */
  triggerConfig?: unknown;
  port: number;
  /** POD_IP, else BIND_ADDRESS, else 0.0.0.0. */
  bindAddress: string;
  logLevel: LogLevel;
  /** Events handed to the sink at once; more callers wait (backpressure) rather than queue without bound. */
  maxInFlight: number;
  /** Largest encoded event body sent to a sink; bigger events are dead-lettered (or rejected) with a reason. */
  maxEventBytes: number;
  secrets: Readonly<Partial<Record<SecretEnvName, string>>>;
  /** WATCH_NAMESPACES: the namespaces the cron adapter watches in cluster mode (its controller's); empty = all. */
  watchNamespaces: readonly string[];
}

export const defaults = {
  sinkTimeoutSeconds: 30,
  retry: 3,
  backoffPolicy: 'exponential' as BackoffPolicy,
  backoffDelayMs: 200,
  maxDelayMs: 60_000,
  port: 8080,
  maxInFlight: 64,
  maxEventBytes: 4 * 1024 * 1024,
} as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(variable: string, raw: string, example: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (cause) {
    throw new ConfigError(variable, `is not valid JSON (${(cause as Error).message})`, `Set it to JSON like ${example}`, {
      cause,
    });
  }
}

export function parseSinkUrl(variable: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch (cause) {
    throw new ConfigError(variable, `"${raw}" is not an absolute URL`, 'Give an absolute http:// or https:// URL', {
      cause,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(variable, `scheme "${url.protocol}" is not supported`, 'Use an http:// or https:// URL');
  }
  return url.toString();
}

/** K_CE_OVERRIDES: `{"extensions":{"name":"value"}}`. */
export function parseCeOverrides(raw: string | undefined, variable = 'K_CE_OVERRIDES'): Record<string, string> {
  if (raw === undefined || raw.trim() === '') return {};
  const example = '{"extensions":{"team":"payments"}}';
  const parsed = parseJson(variable, raw, example);
  if (!isRecord(parsed)) throw new ConfigError(variable, 'must be a JSON object', `Set it to JSON like ${example}`);
  const unknownKeys = Object.keys(parsed).filter((k) => k !== 'extensions');
  if (unknownKeys.length > 0) {
    throw new ConfigError(variable, `has unknown field(s) ${unknownKeys.join(', ')}`, `Only "extensions" is allowed: ${example}`);
  }
  if (parsed.extensions === undefined) return {};
  if (!isRecord(parsed.extensions)) {
    throw new ConfigError(`${variable}.extensions`, 'must be an object of name → string', `Set it like ${example}`);
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.extensions)) {
    if (!isCeExtensionName(name)) {
      throw new ConfigError(
        `${variable}.extensions.${name}`,
        'is not a valid CloudEvents extension name',
        'Use 1-20 lower-case letters or digits (^[a-z0-9]{1,20}$)',
      );
    }
    if (isReservedCeAttribute(name)) {
      throw new ConfigError(
        `${variable}.extensions.${name}`,
        'would replace a CloudEvents context attribute',
        'Pick an extension name that is not a core attribute',
      );
    }
    if (typeof value !== 'string') {
      throw new ConfigError(`${variable}.extensions.${name}`, `must be a string, got ${typeof value}`, 'Quote the value');
    }
    // The value travels as an HTTP header in binary mode; control characters would make the request invalid.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: detecting control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(value)) {
      throw new ConfigError(`${variable}.extensions.${name}`, 'contains control characters', 'Remove newlines and tabs');
    }
    out[name] = value;
  }
  return out;
}

function parsePositiveSeconds(variable: string, raw: string): number {
  const n = Number(raw.trim());
  if (!Number.isFinite(n) || n <= 0) {
    throw new ConfigError(variable, `"${raw}" is not a positive number of seconds`, 'Set it to e.g. 30');
  }
  return n * 1000;
}

function parseDuration(variable: string, raw: unknown): number {
  if (typeof raw !== 'string') {
    throw new ConfigError(variable, 'must be an ISO-8601 duration string', 'Write it like "PT0.2S" or "PT30S"');
  }
  const ms = isoDurationToMs(raw);
  if (ms === undefined) {
    throw new ConfigError(variable, `"${raw}" is not an ISO-8601 duration`, 'Write it like "PT0.2S" or "PT30S"');
  }
  return ms;
}

export interface ParsedDelivery {
  policy: DeliveryPolicy;
  timeoutMs?: number;
}

/**
 * A DeliverySpec whose dead-letter sink is already a URI (K_DELIVERY, or a trigger subscriber's `delivery`).
 * Exported for the trigger role, which has one per subscriber.
 */
export function parseDeliverySpec(value: unknown, variable = 'K_DELIVERY'): ParsedDelivery {
  const policy: DeliveryPolicy = {
    retry: defaults.retry,
    backoffPolicy: defaults.backoffPolicy,
    backoffDelayMs: defaults.backoffDelayMs,
    maxDelayMs: defaults.maxDelayMs,
  };
  if (value === undefined || value === null) return { policy };
  if (!isRecord(value)) {
    throw new ConfigError(variable, 'must be a JSON object (a DeliverySpec)', 'Set it like {"retry":3,"backoffPolicy":"exponential"}');
  }
  const known = new Set(['retry', 'backoffPolicy', 'backoffDelay', 'timeout', 'deadLetterSinkUri', 'deadLetterSink']);
  const unknownKeys = Object.keys(value).filter((k) => !known.has(k));
  if (unknownKeys.length > 0) {
    throw new ConfigError(variable, `has unknown field(s) ${unknownKeys.join(', ')}`, `Allowed: ${[...known].join(', ')}`);
  }
  if (value.retry !== undefined) {
    if (typeof value.retry !== 'number' || !Number.isInteger(value.retry) || value.retry < 0) {
      throw new ConfigError(`${variable}.retry`, `${JSON.stringify(value.retry)} is not a whole number ≥ 0`, 'Set e.g. "retry": 3');
    }
    policy.retry = value.retry;
  }
  if (value.backoffPolicy !== undefined) {
    if (value.backoffPolicy !== 'linear' && value.backoffPolicy !== 'exponential') {
      throw new ConfigError(
        `${variable}.backoffPolicy`,
        `${JSON.stringify(value.backoffPolicy)} is not a backoff policy`,
        'Use "linear" or "exponential"',
      );
    }
    policy.backoffPolicy = value.backoffPolicy;
  }
  if (value.backoffDelay !== undefined) policy.backoffDelayMs = parseDuration(`${variable}.backoffDelay`, value.backoffDelay);
  let timeoutMs: number | undefined;
  if (value.timeout !== undefined) {
    timeoutMs = parseDuration(`${variable}.timeout`, value.timeout);
    if (timeoutMs <= 0) throw new ConfigError(`${variable}.timeout`, 'must be longer than zero', 'Write it like "PT30S"');
  }
  if (value.deadLetterSink !== undefined) {
    // The controller resolves a Destination before it hands it to the adapter; an unresolved one here is a bug upstream.
    throw new ConfigError(
      `${variable}.deadLetterSink`,
      'is an unresolved Destination',
      'Pass the resolved URL as "deadLetterSinkUri"',
    );
  }
  if (value.deadLetterSinkUri !== undefined) {
    if (typeof value.deadLetterSinkUri !== 'string') {
      throw new ConfigError(`${variable}.deadLetterSinkUri`, 'must be a URL string', 'Give an absolute http(s) URL');
    }
    policy.deadLetterUri = parseSinkUrl(`${variable}.deadLetterSinkUri`, value.deadLetterSinkUri);
  }
  return timeoutMs === undefined ? { policy } : { policy, timeoutMs };
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return defaults.port;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError('PORT', `"${raw}" is not a TCP port`, 'Set it to a number between 0 and 65535');
  }
  return n;
}

function parseLogLevel(raw: string | undefined): LogLevel {
  if (raw === undefined || raw === '') return 'info';
  if (raw === 'debug' || raw === 'info' || raw === 'warn' || raw === 'error') return raw;
  throw new ConfigError('LOG_LEVEL', `"${raw}" is not a log level`, 'Use debug, info, warn or error');
}

function nonEmpty(raw: string | undefined): string | undefined {
  return raw === undefined || raw.trim() === '' ? undefined : raw;
}

export function parseAdapterConfig(env: Env): AdapterConfig {
  const secrets: Partial<Record<SecretEnvName, string>> = {};
  for (const name of secretEnvNames) {
    const v = env[name];
    if (v !== undefined) secrets[name] = v;
  }
  const sinkRaw = nonEmpty(env.K_SINK);
  const busRaw = nonEmpty(env.K_EVENT_BUS_CONFIG);
  if (sinkRaw !== undefined && busRaw !== undefined) {
    throw new ConfigError('K_SINK', 'is set together with K_EVENT_BUS_CONFIG', 'Set exactly one: a sink or an event bus');
  }
  const delivery = parseDeliverySpec(
    nonEmpty(env.K_DELIVERY) === undefined ? undefined : parseJson('K_DELIVERY', env.K_DELIVERY ?? '', '{"retry":3}'),
  );
  const sinkTimeoutMs =
    nonEmpty(env.K_SINK_TIMEOUT) === undefined
      ? defaults.sinkTimeoutSeconds * 1000
      : parsePositiveSeconds('K_SINK_TIMEOUT', env.K_SINK_TIMEOUT ?? '');
  const caCerts = nonEmpty(env.K_CA_CERTS);
  if (caCerts !== undefined && !caCerts.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError('K_CA_CERTS', 'holds no PEM certificate', 'Give one or more "-----BEGIN CERTIFICATE-----" blocks');
  }
  const sourceRaw = nonEmpty(env.K_SOURCE_CONFIG);
  const triggerRaw = nonEmpty(env.K_TRIGGER_CONFIG);
  const cfg: AdapterConfig = {
    ceOverrides: parseCeOverrides(env.K_CE_OVERRIDES),
    timeoutMs: delivery.timeoutMs ?? sinkTimeoutMs,
    delivery: delivery.policy,
    port: parsePort(env.PORT),
    bindAddress: nonEmpty(env.POD_IP) ?? nonEmpty(env.BIND_ADDRESS) ?? '0.0.0.0',
    logLevel: parseLogLevel(env.LOG_LEVEL),
    maxInFlight: defaults.maxInFlight,
    maxEventBytes: defaults.maxEventBytes,
    secrets,
    watchNamespaces: parseWatchNamespaces(env.WATCH_NAMESPACES),
  };
  if (sinkRaw !== undefined) cfg.sink = parseSinkUrl('K_SINK', sinkRaw);
  if (caCerts !== undefined) cfg.caCerts = caCerts;
  const namespace = nonEmpty(env.NAMESPACE);
  if (namespace !== undefined) cfg.namespace = namespace;
  const name = nonEmpty(env.NAME);
  if (name !== undefined) cfg.name = name;
  if (sourceRaw !== undefined) cfg.sourceConfig = parseJson('K_SOURCE_CONFIG', sourceRaw, '{"schedule":"* * * * *"}');
  if (triggerRaw !== undefined) cfg.triggerConfig = parseJson('K_TRIGGER_CONFIG', triggerRaw, '{"bus":{…},"subscribers":[…]}');
  if (busRaw !== undefined) {
    const example = '{"backend":"nats","topic":"ns-src","nats":{"url":"nats://host:4222"}}';
    cfg.eventBus = parseBusTopicConfig(parseJson('K_EVENT_BUS_CONFIG', busRaw, example), 'K_EVENT_BUS_CONFIG', { ...env });
  }
  return cfg;
}
