/**
 * Conversion: the adapters' own CPU per event without I/O (record → CloudEvent → binary request), beside the
 * CloudEvents SDK constructing and encoding the same event, in the same child process (bench/workers/conversion.ts).
 */
import { runJsonWorker } from './lib/proc.js';
import { median } from './lib/stats.js';
import type { Row } from './lib/table.js';
import { withRatio } from './lib/table.js';
import type { Benchmark } from './lib/types.js';

interface ConversionResult {
  cases: { name: string; oursNs: number[]; sdkNs: number[] }[];
}

export const conversion: Benchmark = {
  name: 'conversion',
  title: "Conversion: the adapters' per-event CPU without I/O, vs the CloudEvents SDK building the same event",
  async run(ctx) {
    const perRound = ctx.quick ? 50_000 : 200_000;
    const rounds = 5;
    const r = await runJsonWorker<ConversionResult>(ctx.distDir, 'conversion', [String(perRound), String(rounds)], 300_000);
    return r.cases.map(
      (c): Row =>
        withRatio({
          bench: 'conversion',
          metric: `${c.name} → binary request, per event`,
          value: median(c.oursNs),
          unit: 'ns',
          reference: { label: 'SDK constructor + HTTP.binary', value: median(c.sdkNs), unit: 'ns' },
          note: `median of ${rounds} rounds of ${perRound.toLocaleString('en-US')}; ours ${Math.round(Math.min(...c.oursNs))}–${Math.round(Math.max(...c.oursNs))} ns, SDK ${Math.round(Math.min(...c.sdkNs))}–${Math.round(Math.max(...c.sdkNs))} ns`,
        }),
    );
  },
};
