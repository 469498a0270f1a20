/**
 * Polling until the cluster (or a process) reaches a state, for tests. The timeout only bounds a hung test; the
 * error names what was awaited and the last failure seen, so a red test says why without a re-run.
 */

export interface WaitForOptions {
  /** Pause between probes; suites that poll a shared apiserver choose a slower pace. Default 250 ms. */
  intervalMs?: number;
  /** Extra context for the timeout error (e.g. the object's conditions), read only when the wait fails. */
  describe?: () => Promise<string>;
}

/** Calls `probe` until it returns something other than undefined (a throw counts as "not yet"). */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 90_000,
  options: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const extra = options.describe ? await options.describe().catch((e: unknown) => String(e)) : '';
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}${extra ? `\n${extra}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
}
