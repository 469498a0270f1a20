/**
 * The window/reset rule of subscriber conditions (docs/adapters.md, "Trigger"):
 *  - every event that passed the filters marks the inputs it belongs to as seen, in each subscriber's window;
 *  - a subscriber without a condition gets every such event;
 *  - a subscriber with a condition gets the event that makes its condition true, and its window then
 *    starts empty again. Events that leave the condition false only fill the window.
 * Windows live in memory: a restarted dispatcher starts with empty windows.
 */
import type { CompiledCondition } from './condition.js';

export class ConditionWindows {
  readonly #conditions: readonly (CompiledCondition | undefined)[];
  readonly #seen: Set<string>[];

  constructor(conditions: readonly (CompiledCondition | undefined)[]) {
    this.#conditions = conditions;
    this.#seen = conditions.map(() => new Set<string>());
  }

  /** Records the inputs one event belongs to; returns the indices of the subscribers it goes to. */
  observe(inputs: readonly string[]): number[] {
    if (inputs.length === 0) return [];
    const out: number[] = [];
    this.#conditions.forEach((condition, i) => {
      if (condition === undefined) {
        out.push(i);
        return;
      }
      const seen = this.#seen[i]!;
      for (const input of inputs) seen.add(input);
      if (condition(seen)) {
        out.push(i);
        seen.clear();
      }
    });
    return out;
  }

  /** What subscriber `i` has seen in its current window (for logs and tests). */
  seen(i: number): ReadonlySet<string> {
    return this.#seen[i] ?? new Set();
  }
}
