/**
 * The HTTP ceiling: the raw rate at which the adapter's own client (undici `dispatch` through adapter/runtime's
 * `post` and pool, same keep-alive Agent settings) POSTs a 1 KiB binary-mode CloudEvent to the sink, at the
 * adapter's concurrency, with nothing else in the way (no retries, no emitter, no source). Run as a child
 * process; prints one JSON line with one result per timed round.
 *
 *   node http-client.js <sinkUrl> <count per round> <concurrency> <sinkPid> <rounds> <warm-up requests>
 *
 * The rounds run after a warm-up, in one process: a fresh Node process POSTs its first ~7,000 requests at about
 * a third of its steady rate (JIT tiers, young-generation sizing; bench/README.md, "Warm figures"), and an
 * adapter delivering a stream is long past that. Each round is timed on its own, so the caller can take their
 * median.
 */
import { CloudEvent } from 'cloudevents';
import { encodeEvent } from '../../adapter/runtime/encode.js';
import { createHttpPool } from '../../adapter/runtime/http-pool.js';
import { isSuccess, post } from '../../adapter/runtime/http-post.js';
import { jsonPayload } from '../lib/payload.js';
import { cpuSecondsOf, machineBusySeconds } from '../lib/proc.js';

export interface CeilingRoundOutput {
  count: number;
  elapsedMs: number;
  errors: number;
  /** The client process's CPU over the round (every thread). */
  cpuMs: number;
  /** The whole machine's busy CPU over the round. */
  machineMs: number;
  sinkMs: number;
}

async function main(): Promise<void> {
  const [url, countText, concurrencyText, sinkPidText, roundsText, warmText] = process.argv.slice(2);
  if (!url || !countText || !concurrencyText || !sinkPidText || !roundsText || !warmText) {
    throw new Error('usage: http-client <url> <count per round> <concurrency> <sinkPid> <rounds> <warm-up requests>');
  }
  const count = Number(countText);
  const concurrency = Number(concurrencyText);
  const sinkPid = Number(sinkPidText);
  const pool = createHttpPool();
  const dispatcher = pool.dispatcherFor();
  const event = new CloudEvent<unknown>({
    id: 'ceiling',
    type: 'dev.headwater.bench',
    source: '/bench/ceiling',
    datacontenttype: 'application/json',
    data: jsonPayload(),
  });
  // Encoded once: the ceiling is the wire, not the encoder.
  const encoded = encodeEvent(event);
  let next = 0;
  let limit = 0;
  let errors = 0;
  const worker = async (): Promise<void> => {
    while (next < limit) {
      next++;
      try {
        const answer = await post(dispatcher, url, { ...encoded.headers, 'ce-time': new Date().toISOString() }, encoded.body);
        if (!isSuccess(answer.status)) errors++;
      } catch {
        errors++;
      }
    }
  };
  const run = async (n: number): Promise<void> => {
    next = 0;
    limit = n;
    await Promise.all(Array.from({ length: concurrency }, worker));
  };
  // The warm-up also opens the pool's connections before the clock starts, as an adapter's would be.
  await run(Math.max(Number(warmText), concurrency * 4));
  const rounds: CeilingRoundOutput[] = [];
  for (let r = 0; r < Number(roundsText); r++) {
    errors = 0;
    const cpu0 = process.cpuUsage();
    const machine0 = machineBusySeconds();
    const sink0 = cpuSecondsOf(sinkPid);
    const started = performance.now();
    await run(count);
    const elapsedMs = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    // The whole machine and the sink over the same span, to set beside an adapter's drain.
    rounds.push({
      count,
      elapsedMs,
      errors,
      cpuMs: (cpu.user + cpu.system) / 1000,
      machineMs: (machineBusySeconds() - machine0) * 1000,
      sinkMs: (cpuSecondsOf(sinkPid) - sink0) * 1000,
    });
  }
  await pool.close();
  process.stdout.write(`${JSON.stringify({ rounds })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
