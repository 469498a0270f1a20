/**
 * Cron fan-out: N CronSources firing every second in one adapter process (file mode; all N send to the same
 * sink, so they share one emitter on the shared undici pool). Figures: tick lateness when the tick fires (is
 * queued for delivery; p50/p99) and when it is handed to the emitter (after waiting for a slot), lateness at the
 * sink (lateness + delivery), ticks delivered per second against the N expected and the HTTP ceiling, adapter CPU
 * and RSS read from /proc.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureCeiling } from './http-ceiling.js';
import { cpuSecondsOf, freePort, memoryOf, sleep, spawnNode, waitForOk } from './lib/proc.js';
import { startSink } from './lib/sink.js';
import type { LatencySummary } from './lib/stats.js';
import { type Row, withRatio } from './lib/table.js';
import type { BenchContext, Benchmark } from './lib/types.js';

export const cronFanout: Benchmark = {
  name: 'cron',
  title: 'Cron fan-out: N CronSources every second in one adapter process',
  async run(ctx: BenchContext): Promise<Row[]> {
    const sources = ctx.quick ? 1_000 : 10_000;
    const windowMs = ctx.quick ? 10_000 : 30_000;
    const dir = mkdtempSync(join(tmpdir(), 'headwater-bench-cron-'));
    const sink = await startSink(ctx.distDir);
    try {
      const ceiling = await measureCeiling(ctx, sink);
      const file = join(dir, 'sources.json');
      const items = Array.from({ length: sources }, (_, i) => ({
        metadata: { namespace: 'bench', name: `tick-${i}` },
        spec: { schedule: '* * * * * *', data: '{"n":1}', contentType: 'application/json', sink: { uri: sink.url } },
      }));
      writeFileSync(file, JSON.stringify({ items }));
      const port = await freePort();
      // The worker is the cron adapter here: BENCH_ADAPTER_NODE_ARGS (--trace-gc, --cpu-prof…) applies to it too.
      const nodeArgs = (process.env.BENCH_ADAPTER_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const child = spawnNode(join(ctx.distDir, 'bench', 'workers', 'cron-fanout.js'), [file], { PORT: String(port) }, { nodeArgs });
      let out = '';
      child.proc.stdout?.on('data', (c: Buffer) => {
        out += c.toString('utf8');
      });
      try {
        const readyMs = await waitForOk(`http://127.0.0.1:${port}/readyz`, 120_000, child);
        // Let the first seconds (connections opening, JIT warming) pass before the window.
        await sleep(3_000);
        await sink.reset();
        const cpu0 = cpuSecondsOf(child.pid);
        child.proc.kill('SIGUSR1');
        const t0 = performance.now();
        let peakRss = 0;
        while (performance.now() - t0 < windowMs) {
          await sleep(500);
          peakRss = Math.max(peakRss, memoryOf(child.pid).rssMiB);
        }
        child.proc.kill('SIGUSR2');
        const elapsed = (performance.now() - t0) / 1000;
        const cpu = cpuSecondsOf(child.pid) - cpu0;
        const atSink = await sink.stats();
        // A saturated adapter may take long to answer the signal; the benchmark does not wait forever.
        const killer = setTimeout(() => child.proc.kill('SIGKILL'), 15_000);
        await child.exited;
        clearTimeout(killer);
        // The adapter's own log lines share stdout (e.g. a missed-ticks summary flushed while it stops): take the report line.
        const report = out
          .trim()
          .split('\n')
          .findLast((l) => l.startsWith('{"fired"'));
        const fired = JSON.parse(report ?? '{}') as { fired?: number; lateness?: LatencySummary; handoff?: LatencySummary };
        // Hand-off to the emitter, after waiting for a delivery slot (workers/cron-fanout.ts); trees built before
        // the tick queue handed ticks over as they fired and report no separate figure.
        const handoff = fired.handoff === undefined ? '' : `; handed to the emitter (after waiting for a delivery slot): p50 ${fired.handoff.p50} ms, p99 ${fired.handoff.p99} ms`;
        const note = `${sources.toLocaleString('en-US')} sources × "* * * * * *", ${windowMs / 1000} s window${ctx.quick ? ' (quick: scaled down from 10,000)' : ''}; ready after ${Math.round(readyMs)} ms`;
        return [
          {
            bench: 'cron',
            metric: `p99 tick lateness (fired − scheduled), ${sources.toLocaleString('en-US')} sources`,
            value: fired.lateness?.p99,
            unit: 'ms',
            target: '< 50 ms',
            met: fired.lateness?.p99 !== undefined && fired.lateness.p99 < 50,
            note:
              fired.lateness === undefined
                ? `${note}; the adapter did not report its fire lateness (it did not answer the end-of-window signal in time)`
                : `${note}; p50 ${fired.lateness.p50} ms, max ${fired.lateness.max} ms over ${fired.fired} ticks${handoff}`,
          },
          {
            bench: 'cron',
            metric: 'p50 / p99 at the sink (lateness + delivery)',
            value: atSink.latency.p99,
            unit: 'ms',
            note: `p50 ${atSink.latency.p50} ms, max ${atSink.latency.max} ms`,
          },
          withRatio({
            bench: 'cron',
            metric: 'ticks delivered per second',
            value: atSink.count / elapsed,
            unit: 'ev/s',
            reference: { label: 'expected (N/s)', value: sources, unit: 'ev/s' },
          }),
          withRatio({
            bench: 'cron',
            metric: 'ticks delivered per second vs HTTP ceiling',
            value: atSink.count / elapsed,
            unit: 'ev/s',
            reference: { label: 'ceiling', value: ceiling.eventsPerSecond, unit: 'ev/s' },
          }),
          { bench: 'cron', metric: 'adapter CPU (share of one core)', value: (cpu / elapsed) * 100, unit: '%' },
          {
            bench: 'cron',
            metric: 'adapter RSS (peak during window)',
            value: peakRss,
            unit: 'MiB',
            target: '< 250 MB',
            met: peakRss * 1.048576 < 250,
          },
        ];
      } finally {
        await child.stop();
      }
    } finally {
      await sink.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
