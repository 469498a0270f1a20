import { Environment } from '@marcbachmann/cel-js';
import type { FieldError } from './field-error.js';

/**
 * A subscriber condition is CEL over the Trigger's input names, each a bool ("an event from this input
 * arrived"). It must compile, refer only to declared inputs, and yield a bool.
 */
export function validateCelCondition(condition: string, inputNames: readonly string[], path: string): FieldError[] {
  const allowed = `a boolean CEL expression over the input names (${inputNames.join(', ') || 'none declared'}), e.g. "a && (b || c)"`;
  let env = new Environment();
  try {
    for (const name of inputNames) env = env.registerVariable(name, 'bool');
  } catch (err) {
    return [{ path, problem: `input names cannot be used in CEL (${(err as Error).message})`, allowed }];
  }
  const result = env.check(condition);
  if (!result.valid) {
    const detail = (result.error?.message ?? 'does not compile').split('\n')[0];
    return [{ path, problem: `"${condition}" does not compile: ${detail}`, allowed }];
  }
  if (result.type !== 'bool') {
    return [{ path, problem: `"${condition}" yields ${result.type}, not bool`, allowed }];
  }
  return [];
}
