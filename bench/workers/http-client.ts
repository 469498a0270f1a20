/**
 * The HTTP ceiling: the raw rate at which the adapter's own client (undici `dispatch` through adapter/runtime's
 * `post` and pool, same keep-alive Agent settings) POSTs a 1 KiB binary-mode CloudEvent to the sink, at the
 * adapter's concurrency, with nothing else in the way (no retries, no emitter, no source). Run as a child
 * process; prints one JSON line.
 *
 *   node http-client.js <sinkUrl> <count> <concurrency> [sinkPid]
 */
import { CloudEvent } from 'cloudevents';
import { encodeEvent } from '../../adapter/runtime/encode.js';
import { createHttpPool } from '../../adapter/runtime/http-pool.js';
import { isSuccess, post } from '../../adapter/runtime/http-post.js';
import { jsonPayload } from '../lib/payload.js';
import { cpuSecondsOf, machineBusySeconds } from '../lib/proc.js';

async function main(): Promise<void> {
  const [url, countText, concurrencyText, sinkPidText] = process.argv.slice(2);
  if (!url || !countText || !concurrencyText) throw new Error('usage: http-client <url> <count> <concurrency>');
  const count = Number(countText);
  // The sink's CPU over the timed loop only (not the warm-up), read at the same instants as the machine's.
  const sinkCpu = (): number => (sinkPidText === undefined ? 0 : cpuSecondsOf(Number(sinkPidText)));
  const concurrency = Number(concurrencyText);
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
  let errors = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      try {
        const answer = await post(dispatcher, url, { ...encoded.headers, 'ce-time': new Date().toISOString() }, encoded.body);
        if (!isSuccess(answer.status)) errors++;
      } catch {
        errors++;
      }
    }
  };
  // A short warm-up opens the pool's connections before the clock starts, as an adapter's would be.
  const warm = count;
  next = count - Math.min(count, concurrency * 4);
  await Promise.all(Array.from({ length: concurrency }, worker));
  next = 0;
  const cpu0 = process.cpuUsage();
  const machine0 = machineBusySeconds();
  const sink0 = sinkCpu();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  // The whole machine over the same span: client, sink and anything else, to set beside an adapter's drain.
  const machineMs = (machineBusySeconds() - machine0) * 1000;
  const sinkMs = (sinkCpu() - sink0) * 1000;
  await pool.close();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(`${JSON.stringify({ count: warm, elapsedMs, errors, cpuMs, machineMs, sinkMs })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
