/**
 * One CronSource as the multi-tenant cron adapter serves it (pure): its compiled schedule, its payload, and where
 * its ticks go. Built from a CronSource in the cluster, an item of a standalone file, or command-line flags; any
 * problem is a typed error naming the field, so one bad source is reported and skipped while the others run.
 */
import { HeadwaterError } from '../../lib/errors.js';
import { type AdapterConfig, parseCeOverrides, parseDeliverySpec, parseSinkUrl } from '../runtime/config.js';
import type { EmitterConfig } from '../runtime/emitter.js';
import { InternTable } from './intern.js';
import { type CompiledSchedule, compileSchedule } from './schedule.js';
import { type TickPayload, type TickSpec, tickEvent } from './tick-event.js';

export class CronSourceError extends HeadwaterError {
  constructor(key: string, field: string, problem: string, fix: string, options?: { cause?: unknown }) {
    super('CronSourceError', `${key}: ${field}: ${problem}. ${fix}`, { source: key, field }, options);
  }
}

export interface CronTenant {
  key: string;
  tick: TickSpec;
  schedule: CompiledSchedule;
  /** HTTP sink path (sink set) or bus path (eventBus set). */
  output: EmitterConfig;
  /** Equal keys mean the same output: such sources share one emitter (shared-outputs.ts). */
  outputKey: string;
  /** Equal fingerprints mean nothing that matters changed: the tenant keeps its timer and emitter. */
  fingerprint: string;
  /** Problems that do not stop the source (e.g. a dead-letter ref this adapter cannot resolve). */
  warnings: string[];
}

/** The spec fields the cron adapter reads (docs/architecture.md: CronSourceSpec + the SourceSpec duck). */
export interface CronSpecInput {
  schedule?: unknown;
  timezone?: unknown;
  contentType?: unknown;
  data?: unknown;
  dataBase64?: unknown;
  ceOverrides?: unknown;
  delivery?: unknown;
  sink?: unknown;
  eventBus?: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(key: string, field: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new CronSourceError(key, field, `must be a string, got ${typeof v}`, 'Quote the value');
  return v;
}

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

export function payloadOf(key: string, spec: CronSpecInput): TickPayload {
  const data = optionalString(key, 'spec.data', spec.data);
  const dataBase64 = optionalString(key, 'spec.dataBase64', spec.dataBase64);
  if (data !== undefined && dataBase64 !== undefined) {
    throw new CronSourceError(key, 'spec.dataBase64', 'is set together with spec.data', 'Set at most one of them');
  }
  if (dataBase64 !== undefined) {
    const compact = dataBase64.replace(/\s+/g, '');
    if (compact.length % 4 !== 0 || !base64Pattern.test(compact)) {
      throw new CronSourceError(key, 'spec.dataBase64', 'is not valid base64', 'Encode the bytes with standard base64');
    }
    return { kind: 'bytes', data: new Uint8Array(Buffer.from(compact, 'base64')) };
  }
  return data === undefined ? { kind: 'none' } : { kind: 'text', data };
}

/**
 * The adapter gets delivery as written in the spec; a dead-letter sink given by URI is used, one given by ref
 * needs the controller's resolver (not available here) and is reported as a warning.
 */
function deliveryOf(
  key: string,
  raw: unknown,
  warnings: string[],
  fallback: Pick<AdapterConfig, 'delivery' | 'timeoutMs'>,
): ReturnType<typeof parseDeliverySpec> {
  // No delivery on the source: the process's own (K_DELIVERY / K_SINK_TIMEOUT) applies.
  if (raw === undefined || raw === null) return { policy: fallback.delivery, timeoutMs: fallback.timeoutMs };
  if (!isRecord(raw)) throw new CronSourceError(key, 'spec.delivery', 'must be an object', 'Give a DeliverySpec');
  const { deadLetterSink, ...rest } = raw;
  const input: Record<string, unknown> = { ...rest };
  if (isRecord(deadLetterSink)) {
    if (deadLetterSink.ref !== undefined) {
      warnings.push('spec.delivery.deadLetterSink.ref is not resolved by the cron adapter: give deadLetterSink.uri');
    } else if (typeof deadLetterSink.uri === 'string') {
      input.deadLetterSinkUri = deadLetterSink.uri;
    }
  }
  try {
    return parseDeliverySpec(input, 'spec.delivery');
  } catch (cause) {
    throw new CronSourceError(key, 'spec.delivery', (cause as Error).message, 'Fix the DeliverySpec', { cause });
  }
}

/** Sources sending to the same place share one output object and key, and equal fingerprints one string. */
const sharedOutputs = new InternTable<{ output: EmitterConfig; outputKey: string }>(4096);
const sharedFingerprints = new InternTable<string>(4096);

export interface TenantInput {
  namespace: string;
  name: string;
  spec: CronSpecInput;
  /** Resolved sink URL (CronSource status.sinkUri, a file's spec.sink.uri, --sink, or K_SINK). */
  sinkUri?: string;
  sinkCACerts?: string;
  /** Resolved bus output (bus path). */
  eventBus?: AdapterConfig['eventBus'];
  /** Process-wide settings that apply when the source does not say otherwise. */
  defaults: Pick<AdapterConfig, 'timeoutMs' | 'delivery' | 'maxInFlight' | 'maxEventBytes' | 'caCerts' | 'ceOverrides'>;
}

export function buildTenant(input: TenantInput): CronTenant {
  const key = `${input.namespace}/${input.name}`;
  const { spec } = input;
  const warnings: string[] = [];
  if (typeof spec.schedule !== 'string' || spec.schedule.trim() === '') {
    throw new CronSourceError(key, 'spec.schedule', 'is missing', 'Set a cron schedule like "*/5 * * * *"');
  }
  let schedule: CompiledSchedule;
  try {
    schedule = compileSchedule(spec.schedule, optionalString(key, 'spec.timezone', spec.timezone));
  } catch (cause) {
    throw new CronSourceError(key, 'spec.schedule', (cause as Error).message, 'Fix the schedule or time zone', { cause });
  }
  const contentType = optionalString(key, 'spec.contentType', spec.contentType);
  const payload = payloadOf(key, spec);
  if (contentType !== undefined && payload.kind === 'text' && /[/+]json(\s*;|$)/i.test(contentType)) {
    try {
      JSON.parse(payload.data);
    } catch {
      throw new CronSourceError(key, 'spec.data', `is not JSON but spec.contentType is ${contentType}`, 'Give JSON data or another content type');
    }
  }
  let ceOverrides: Record<string, string> = { ...input.defaults.ceOverrides };
  if (spec.ceOverrides !== undefined && spec.ceOverrides !== null) {
    try {
      ceOverrides = { ...ceOverrides, ...parseCeOverrides(JSON.stringify(spec.ceOverrides), 'spec.ceOverrides') };
    } catch (cause) {
      throw new CronSourceError(key, 'spec.ceOverrides', (cause as Error).message, 'Fix the overrides', { cause });
    }
  }
  const delivery = deliveryOf(key, spec.delivery, warnings, input.defaults);
  const output: EmitterConfig = {
    ceOverrides,
    timeoutMs: delivery.timeoutMs ?? input.defaults.timeoutMs,
    delivery: delivery.policy,
    maxInFlight: input.defaults.maxInFlight,
    maxEventBytes: input.defaults.maxEventBytes,
  };
  if (input.eventBus !== undefined) {
    output.eventBus = input.eventBus;
  } else if (input.sinkUri !== undefined) {
    try {
      output.sink = parseSinkUrl('sink', input.sinkUri);
    } catch (cause) {
      throw new CronSourceError(key, 'sink', (cause as Error).message, 'Give an absolute http(s) URL', { cause });
    }
    const ca = input.sinkCACerts ?? input.defaults.caCerts;
    if (ca !== undefined) output.caCerts = ca;
  } else {
    throw new CronSourceError(key, 'sink', 'has no resolved URL yet', 'Wait for status.sinkUri, or give --sink / spec.sink.uri');
  }
  const tick: TickSpec = { namespace: input.namespace, name: input.name, payload };
  if (contentType !== undefined) tick.contentType = contentType;
  // Ticks are built without schema validation (tick-event.ts): validate this source's event once, here.
  try {
    tickEvent(tick, 0, undefined, true);
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new CronSourceError(key, 'spec', `does not give a valid CloudEvent (${why})`, 'Fix the name, contentType or data', { cause });
  }
  const shared = sharedOutputs.get(JSON.stringify(output), (outputKey) => ({ output, outputKey }));
  const fingerprint = sharedFingerprints.get(
    JSON.stringify({
      expression: schedule.expression,
      timezone: schedule.timezone,
      contentType,
      payload: payload.kind === 'bytes' ? Buffer.from(payload.data).toString('base64') : payload,
      outputKey: shared.outputKey,
    }),
    (text) => text,
  );
  return { key, tick, schedule, output: shared.output, outputKey: shared.outputKey, fingerprint, warnings };
}
