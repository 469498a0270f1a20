import { createHash } from 'node:crypto';

const MAX_NAME = 63;

/**
 * A child's name from its parent's: `prefix` + `suffix` when it fits in a DNS label, else the prefix cut
 * short plus a hash of the whole, so two long names never collide (Knative's kmeta.ChildName rule).
 */
export function childName(prefix: string, suffix: string): string {
  const full = `${prefix}${suffix}`;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('md5').update(full).digest('hex');
  const head = prefix.slice(0, MAX_NAME - hash.length).replace(/[-.]+$/, '');
  return `${head}${hash}`;
}
