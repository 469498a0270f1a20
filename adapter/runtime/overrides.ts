/**
 * K_CE_OVERRIDES applied to an event: each extension is set (replacing one of the same name), as Knative's
 * CloudEventOverrides do. Pure; CloudEvents are frozen, so this returns a clone.
 */
import type { CloudEvent } from 'cloudevents';

export function applyOverrides<T>(event: CloudEvent<T>, extensions: Readonly<Record<string, string>>): CloudEvent<T> {
  const names = Object.keys(extensions);
  if (names.length === 0) return event;
  return event.cloneWith({ ...extensions }, false) as CloudEvent<T>;
}
