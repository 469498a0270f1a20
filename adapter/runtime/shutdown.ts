/**
 * Graceful shutdown in two phases, because "stop taking work" and "give up on work in flight" are different
 * moments: on SIGTERM/SIGINT the intake signal aborts (roles stop consuming, in-flight deliveries carry on); if they
 * have not finished within the grace period the abandon signal aborts too (open requests and retry waits end, the
 * events are reported as not safe, so the source keeps them un-acked and redelivers them). A second signal exits
 * at once.
 */
import type { Logger } from '../../lib/log.js';

export interface ShutdownControl {
  /** Aborted when a stop was asked for: take no new work. */
  readonly intake: AbortSignal;
  /** Aborted when the grace period ran out: abandon in-flight work without acknowledging it. */
  readonly abandon: AbortSignal;
  /** Start the shutdown as if a signal arrived (tests, fatal role errors). */
  trigger(reason: string): void;
  /** Resolves when a stop was asked for. */
  readonly requested: Promise<string>;
  dispose(): void;
}

export interface ShutdownOptions {
  logger: Logger;
  graceMs: number;
  /** Listen to process signals (off in tests that run several adapters in one process). */
  handleSignals?: boolean;
  exit?: (code: number) => void;
}

export function createShutdown(opts: ShutdownOptions): ShutdownControl {
  const intake = new AbortController();
  const abandon = new AbortController();
  let graceTimer: NodeJS.Timeout | undefined;
  let resolveRequested: (reason: string) => void = () => {};
  const requested = new Promise<string>((resolve) => {
    resolveRequested = resolve;
  });
  const trigger = (reason: string): void => {
    if (intake.signal.aborted) return;
    opts.logger.info('shutting down: taking no new work', { reason, graceMs: opts.graceMs });
    intake.abort(new Error(`shutdown: ${reason}`));
    graceTimer = setTimeout(() => {
      opts.logger.warn('grace period over: abandoning in-flight events (they stay un-acked at the source)');
      abandon.abort(new Error('shutdown grace period over'));
    }, opts.graceMs);
    graceTimer.unref();
    resolveRequested(reason);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (intake.signal.aborted) {
      opts.logger.warn('second signal: exiting now', { signal });
      (opts.exit ?? process.exit)(130);
      return;
    }
    trigger(signal);
  };
  if (opts.handleSignals ?? true) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return {
    intake: intake.signal,
    abandon: abandon.signal,
    trigger,
    requested,
    dispose() {
      if (graceTimer) clearTimeout(graceTimer);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    },
  };
}
