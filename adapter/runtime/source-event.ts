/**
 * A source adapter's CloudEvent, built without the SDK's per-event schema validation (`new CloudEvent(…, true)`
 * runs a compiled JSON schema over every attribute; in CPU profiles of the adapters it was a steady share of the
 * cost per event: bench/README.md). What varies per event (ids, offsets, times, header-derived extensions) is
 * made by the adapter itself, in forms that are valid by construction or checked where they are made (extension
 * names against api/ce-extension-names.ts). What comes from configuration — type and source — is validated
 * strictly once per distinct pair, and a pair that fails keeps failing each event with the SDK's own error, as
 * it did when every event was validated.
 */
import { CloudEvent } from 'cloudevents';
import { preparedEvent } from './prepared-event.js';

/** Verdicts by type, then source, then dataschema: nested so a lookup builds no key string per event. */
const verdicts = new Map<string, Map<string, Map<string, Error | null>>>();
let remembered = 0;
const noSchema = '\u0001';
/** Distinct attribute sets remembered; a process has a handful (one per topic, stream or bus source). */
const maxVerdicts = 1024;

/**
 * The SDK's strict verdict (null = valid) on an event with these configuration-borne attributes, run once per
 * distinct set: the rule stays exactly the SDK's while its schema runs per source, not per event. Shared with
 * the bus decoder (adapter/bus/wire.ts), which checks `source` and `dataschema` this way.
 */
export function strictVerdict(attrs: { type: string; source: string; dataschema?: string }): Error | null {
  const schema = attrs.dataschema ?? noSchema;
  const bySource = verdicts.get(attrs.type)?.get(attrs.source);
  let v = bySource?.get(schema);
  if (v === undefined) {
    try {
      new CloudEvent({ id: 'validation', ...attrs }, true);
      v = null;
    } catch (err) {
      v = err instanceof Error ? err : new Error(String(err));
    }
    if (remembered >= maxVerdicts) {
      verdicts.clear();
      remembered = 0;
    }
    const byType = verdicts.get(attrs.type) ?? new Map<string, Map<string, Error | null>>();
    verdicts.set(attrs.type, byType);
    const sources = byType.get(attrs.source) ?? new Map<string, Error | null>();
    byType.set(attrs.source, sources);
    sources.set(schema, v);
    remembered++;
  }
  return v;
}

export function sourceEvent(attrs: Record<string, unknown> & { type: string; source: string }): CloudEvent<unknown> {
  const bad = strictVerdict({ type: attrs.type, source: attrs.source });
  if (bad !== null) throw bad;
  return preparedEvent(attrs);
}
