/**
 * Waits for an in-process adapter (runAdapter) to answer /readyz with 200. If the adapter ends first, this
 * throws with its exit code, so a test fails on the real cause rather than hanging until its timeout.
 */
import type { RunningAdapter } from '../../adapter/runtime/lifecycle.js';

export async function waitAdapterReady(adapter: RunningAdapter): Promise<void> {
  let ended = false;
  adapter.finished.then(() => {
    ended = true;
  });
  while (!ended) {
    const res = await fetch(`${adapter.health.url.replace(/\/$/, '')}/readyz`).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`adapter exited with ${await adapter.finished} before it was ready`);
}
