/**
 * "Does the live object already say what we want?" — compared only on the fields we set, because the
 * apiserver fills in defaults (imagePullPolicy, terminationMessagePath, probe timeouts…) that a plain
 * deep-equal would count as drift and turn every resync into an update.
 */

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * True when every field of `desired` is present with an equal value in `live`. Maps may carry extra keys
 * (defaults, others' labels); arrays must have the same length (an env var or container we dropped is drift).
 */
export function containsDesired(desired: unknown, live: unknown): boolean {
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    return desired.every((d, i) => containsDesired(d, live[i]));
  }
  if (isRecord(desired)) {
    if (!isRecord(live)) return false;
    return Object.entries(desired).every(([k, v]) => (v === undefined ? true : containsDesired(v, live[k])));
  }
  return desired === live;
}

/** Deep equality of JSON values, key order ignored. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isRecord(a)) {
    if (!isRecord(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return a === b;
}
