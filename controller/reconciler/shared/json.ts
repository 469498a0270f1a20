/** JSON with sorted object keys: env values built from specs must not change when only key order did. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    const rec = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(rec)
        .sort()
        .filter((k) => rec[k] !== undefined)
        .map((k) => [k, sortKeys(rec[k])]),
    );
  }
  return value;
}
