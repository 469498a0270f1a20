/** Status writes that happen only when something changed, so a steady resync writes nothing. */
import type { GroupVersionKind, KubeObject, ReconcileContext } from '../../runtime/types.js';
import { jsonEqual } from './semantic.js';

/** Write `status` through the status subresource unless it equals the live one; returns whether it wrote. */
export async function writeStatusIfChanged(
  ctx: ReconcileContext,
  gvk: GroupVersionKind,
  live: KubeObject,
  status: Record<string, unknown>,
): Promise<boolean> {
  if (jsonEqual(live.status ?? {}, status)) return false;
  await ctx.writer.updateStatus(gvk, { ...live, status });
  return true;
}

/** Drop keys whose value is undefined, so the written status and the compared one look alike. */
export function compact<T extends Record<string, unknown>>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}
