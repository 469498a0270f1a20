/**
 * The multi-tenant cron adapter, run through the real lifecycle (runAdapter) and the real cron role, with two
 * observers: the scheduler's `onFire` notes when a tick fires (is queued for delivery) — that instant minus the
 * tick's scheduled time is the tick lateness — and every tenant's emitter, the real one (shared undici pool,
 * retries), is wrapped on the RoleContext seam to note when a tick is handed to it, after waiting for a delivery
 * slot (the hand-off lateness). The sink separately sees lateness plus delivery.
 *
 *   node cron-fanout.js <sources.json>     env: PORT. SIGUSR1 starts recording, SIGUSR2 prints JSON and exits.
 */
import { run as runCron } from '../../adapter/cron/index.js';
import { runAdapter } from '../../adapter/runtime/lifecycle.js';
import type { Emitter } from '../../adapter/runtime/emitter.js';
import { Samples, summarize } from '../lib/stats.js';

async function main(): Promise<void> {
  const [file] = process.argv.slice(2);
  if (!file) throw new Error('usage: cron-fanout <sources.json>');
  const lateness = new Samples(1 << 16);
  const handoff = new Samples(1 << 16);
  let recording = false;
  const observe = (inner: Emitter): Emitter => ({
    emit(event) {
      if (recording && event.time !== undefined) handoff.push(Date.now() - Date.parse(event.time));
      return inner.emit(event);
    },
    close: () => inner.close(),
  });
  const adapter = await runAdapter(
    'cron',
    ['--file', file],
    { PORT: process.env.PORT, BIND_ADDRESS: '127.0.0.1', LOG_LEVEL: 'warn' },
    {
      handleSignals: false,
      runRole: (cfg, ctx) =>
        runCron(
          cfg,
          { ...ctx, newEmitter: async (c) => observe(await ctx.newEmitter(c)) },
          {
            onFire: (scheduledMs) => {
              if (recording) lateness.push(Date.now() - scheduledMs);
            },
          },
        ),
    },
  );
  process.on('SIGUSR1', () => {
    lateness.clear();
    handoff.clear();
    recording = true;
  });
  process.on('SIGUSR2', () => {
    recording = false;
    process.stdout.write(`${JSON.stringify({ fired: lateness.length, lateness: summarize(lateness.values()), handoff: summarize(handoff.values()) })}\n`);
    adapter.shutdown.trigger('benchmark over');
    // The stop path waits for in-flight ticks; a benchmark does not need to.
    setTimeout(() => process.exit(0), 200).unref();
  });
  process.on('SIGTERM', () => process.exit(0));
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
