/**
 * Trigger filters in Knative's "new trigger filters" dialect: a list of filter expressions that must all
 * match. Each expression has exactly one of `exact`, `prefix`, `suffix` (maps of attribute → string, every
 * pair must match), `all`, `any` (lists of expressions) or `not` (one expression). Attributes are CloudEvents
 * context attributes and extensions; an attribute the event does not have matches nothing.
 */
import type { CloudEvent } from 'cloudevents';
import { ConfigError } from '../../lib/errors.js';

export type Filter =
  | { exact: Record<string, string> }
  | { prefix: Record<string, string> }
  | { suffix: Record<string, string> }
  | { all: Filter[] }
  | { any: Filter[] }
  | { not: Filter };

const dialects = ['exact', 'prefix', 'suffix', 'all', 'any', 'not'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseAttributeMap(v: unknown, at: string, variable: string): Record<string, string> {
  if (!isRecord(v) || Object.keys(v).length === 0) {
    throw new ConfigError(variable, `${at} must be a non-empty map of attribute → string`, `Write it like ${at.split('.').pop()}: {type: "com.example.created"}`);
  }
  const out: Record<string, string> = {};
  for (const [attr, value] of Object.entries(v)) {
    if (!/^[a-z0-9_]{1,64}$/.test(attr)) {
      throw new ConfigError(variable, `${at}.${attr} is not a CloudEvents attribute name`, 'Use lower-case letters and digits (data_base64 aside).');
    }
    if (typeof value !== 'string') {
      throw new ConfigError(variable, `${at}.${attr} must be a string, got ${JSON.stringify(value)}`, 'Quote the value.');
    }
    out[attr] = value;
  }
  return out;
}

export function parseFilter(raw: unknown, at: string, variable: string): Filter {
  if (!isRecord(raw)) throw new ConfigError(variable, `${at} must be an object`, `Use one of ${dialects.join(', ')}.`);
  const keys = Object.keys(raw);
  if (keys.length !== 1 || !dialects.includes(keys[0] as (typeof dialects)[number])) {
    const hint = keys.includes('cesql') ? ' (CESQL filters are not supported)' : '';
    throw new ConfigError(
      variable,
      `${at} must have exactly one of ${dialects.join(', ')}, got ${keys.length === 0 ? 'none' : keys.join(', ')}${hint}`,
      'Split combined conditions with all/any.',
    );
  }
  const key = keys[0] as (typeof dialects)[number];
  const v = raw[key];
  switch (key) {
    case 'exact':
      return { exact: parseAttributeMap(v, `${at}.exact`, variable) };
    case 'prefix':
      return { prefix: parseAttributeMap(v, `${at}.prefix`, variable) };
    case 'suffix':
      return { suffix: parseAttributeMap(v, `${at}.suffix`, variable) };
    case 'all':
    case 'any': {
      if (!Array.isArray(v) || v.length === 0) {
        throw new ConfigError(variable, `${at}.${key} must be a non-empty list of filters`, 'List at least one filter.');
      }
      const list = v.map((f, i) => parseFilter(f, `${at}.${key}[${i}]`, variable));
      return key === 'all' ? { all: list } : { any: list };
    }
    case 'not':
      return { not: parseFilter(v, `${at}.not`, variable) };
  }
}

export function parseFilters(raw: unknown, at: string, variable: string): Filter[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError(variable, `${at} must be a list of filters`, 'Write filters: [{exact: {…}}].');
  return raw.map((f, i) => parseFilter(f, `${at}[${i}]`, variable));
}

/** The attribute as a string, or undefined when the event does not carry it. */
function attribute(event: CloudEvent<unknown>, name: string): string | undefined {
  if (name === 'data' || name === 'data_base64') return undefined;
  const v = (event as unknown as Record<string, unknown>)[name];
  if (v === undefined || v === null) return undefined;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return undefined;
  return String(v);
}

function everyPair(map: Record<string, string>, event: CloudEvent<unknown>, test: (actual: string, wanted: string) => boolean): boolean {
  for (const [name, wanted] of Object.entries(map)) {
    const actual = attribute(event, name);
    if (actual === undefined || !test(actual, wanted)) return false;
  }
  return true;
}

export function matchesFilter(filter: Filter, event: CloudEvent<unknown>): boolean {
  if ('exact' in filter) return everyPair(filter.exact, event, (a, w) => a === w);
  if ('prefix' in filter) return everyPair(filter.prefix, event, (a, w) => a.startsWith(w));
  if ('suffix' in filter) return everyPair(filter.suffix, event, (a, w) => a.endsWith(w));
  if ('all' in filter) return filter.all.every((f) => matchesFilter(f, event));
  if ('any' in filter) return filter.any.some((f) => matchesFilter(f, event));
  return !matchesFilter(filter.not, event);
}

/** An empty list matches every event (as a Trigger without filters does). */
export function matchesFilters(filters: readonly Filter[], event: CloudEvent<unknown>): boolean {
  return filters.every((f) => matchesFilter(f, event));
}
