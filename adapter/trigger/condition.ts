/**
 * A subscriber's `condition`: a CEL expression over the Trigger's input names, each a bool ("this input was
 * seen in the current window"). Compiled and type-checked once at start; a bad expression is a ConfigError
 * naming the subscriber and the CEL error.
 */
import { Environment } from '@marcbachmann/cel-js';
import { ConfigError } from '../../lib/errors.js';

export type CompiledCondition = (seen: ReadonlySet<string>) => boolean;

/** CEL identifiers, minus the words CEL reserves. */
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
const reserved = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import',
  'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

export function validateInputName(name: string, at: string, variable: string): void {
  if (!identifier.test(name) || reserved.has(name)) {
    throw new ConfigError(
      variable,
      `${at}: input name ${JSON.stringify(name)} cannot be used in a CEL condition`,
      'Name inputs with letters, digits and _ (not starting with a digit, not a CEL keyword).',
    );
  }
}

export function compileCondition(expression: string, inputNames: readonly string[], at: string, variable: string): CompiledCondition {
  const env = new Environment();
  for (const name of inputNames) env.registerVariable(name, 'bool');
  const checked = env.check(expression);
  if (!checked.valid) {
    const detail = checked.error?.message.split('\n')[0] ?? 'invalid expression';
    throw new ConfigError(
      variable,
      `${at} ${JSON.stringify(expression)} is not a valid condition: ${detail}`,
      `Write a CEL boolean expression over the input names (${inputNames.join(', ')}), e.g. "${inputNames.slice(0, 2).join(' && ') || 'a && b'}".`,
    );
  }
  if (checked.type !== 'bool') {
    throw new ConfigError(variable, `${at} ${JSON.stringify(expression)} has type ${checked.type}, not bool`, 'The condition must evaluate to true or false.');
  }
  const evaluate = env.parse(expression);
  const run = (seen: ReadonlySet<string>): boolean => {
    const context: Record<string, boolean> = {};
    for (const name of inputNames) context[name] = seen.has(name);
    return evaluate(context) === true;
  };
  if (inputNames.length > maxMemoInputs) return run;
  // The expression is a pure function of which inputs were seen: at most 2^n answers, each computed once,
  // instead of walking the CEL AST for every event (a visible share of the dispatcher's CPU per event).
  const memo = new Map<number, boolean>();
  return (seen) => {
    let mask = 0;
    for (let i = 0; i < inputNames.length; i++) if (seen.has(inputNames[i]!)) mask |= 1 << i;
    let answer = memo.get(mask);
    if (answer === undefined) {
      answer = run(seen);
      memo.set(mask, answer);
    }
    return answer;
  };
}

/** Inputs up to which answers are memoised by bitmask (2^12 = 4,096 answers at most). */
const maxMemoInputs = 12;
