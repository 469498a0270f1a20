/**
 * This project's own per-event work, without I/O: a source record (or bus message) → CloudEvent → binary-mode
 * request, as each adapter does it, in a tight loop in one process. The delivery benchmarks cannot resolve a
 * change of a microsecond or two per event (their ceilings move by ±15 % run to run); this can. Beside each, in
 * the same process: the CloudEvents SDK building and encoding an event with the same attributes and data
 * (`new CloudEvent(attrs, false)` + `HTTP.binary`), i.e. what the SDK alone would cost before any conversion.
 *
 *   node conversion.js <events per round> <rounds>
 * prints one JSON line: { cases: [{ name, oursNs: number[], sdkNs: number[] }] }
 */
import { CloudEvent, HTTP } from 'cloudevents';
import { encodeEvent as wireEncode, decodeEvent } from '../../adapter/bus/wire.js';
import { tickEvent } from '../../adapter/cron/tick-event.js';
import { recordToEvent } from '../../adapter/kafka/record-to-event.js';
import { entryToEvent } from '../../adapter/redisstream/entry-to-event.js';
import { encodeEvent } from '../../adapter/runtime/encode.js';
import { jsonPayload } from '../lib/payload.js';

interface Case {
  name: string;
  /** One event through the adapter's path; returns the body length so the work cannot be skipped. */
  ours(i: number): number;
  /** The attributes and data of event i, for the SDK reference. */
  attrs(i: number): Record<string, unknown>;
}

const payload = jsonPayload();
const owner = { namespace: 'bench', name: 'conversion', stream: 'bench-stream' };

/** kafkajs hands values as views into its fetch buffer: so does this. */
const fetchBuffer = Buffer.alloc(1 << 20);
const slots = Math.floor(fetchBuffer.length / payload.length);
for (let s = 0; s < slots; s++) payload.copy(fetchBuffer, s * payload.length);
function kafkaRecord(i: number) {
  const at = (i % slots) * payload.length;
  const message = { key: null, value: fetchBuffer.subarray(at, at + payload.length), timestamp: String(1764000000000 + i), offset: String(i), headers: {}, attributes: 0 };
  return { topic: 'bench-topic', partition: i & 7, message };
}

const redisFields: [Buffer, Buffer][] = [[Buffer.from('pad'), Buffer.from(JSON.parse(payload.toString('utf8')).pad as string)]];
function redisEntry(i: number) {
  return { id: `${1764000000000 + i}-0`, fields: redisFields };
}

// As bench/trigger.ts publishes: JSON data, time set by the publisher.
const busMessage = wireEncode(
  new CloudEvent<unknown>({ id: 'e1', type: 'dev.headwater.bench', source: '/bench/trigger', datacontenttype: 'application/json', data: JSON.parse(payload.toString('utf8')), time: '2026-11-26T00:00:00.000Z' }),
);

const tickSpec = { namespace: 'bench', name: 'tick', payload: { kind: 'text' as const, data: payload.toString('utf8') } };

/** The event's attributes as a plain object, the SDK's input for the reference. */
function attrsOf(event: CloudEvent<unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) if (v !== undefined && k !== 'data_base64') out[k] = v;
  return out;
}

const cases: Case[] = [
  { name: 'kafka record (1 KiB JSON value)', ours: (i) => encodeEvent(recordToEvent(kafkaRecord(i), owner).event).body.length, attrs: (i) => attrsOf(recordToEvent(kafkaRecord(i), owner).event) },
  { name: 'redis entry (one 1 KiB field)', ours: (i) => encodeEvent(entryToEvent(redisEntry(i), owner)).body.length, attrs: (i) => attrsOf(entryToEvent(redisEntry(i), owner)) },
  { name: 'bus message (1 KiB JSON data), Trigger', ours: () => encodeEvent(decodeEvent(busMessage)).body.length, attrs: () => attrsOf(decodeEvent(busMessage)) },
  { name: 'cron tick (1 KiB JSON text)', ours: (i) => encodeEvent(tickEvent(tickSpec, 1764000000000 + i * 1000)).body.length, attrs: (i) => attrsOf(tickEvent(tickSpec, 1764000000000 + i * 1000)) },
];

function timeNsPerEvent(n: number, f: (i: number) => number): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += f(i);
  const ns = Number(process.hrtime.bigint() - start) / n;
  if (sink <= 0) throw new Error('no bytes encoded');
  return ns;
}

function sdkBinary(attrs: Record<string, unknown>): number {
  const message = HTTP.binary(new CloudEvent<unknown>(attrs, false));
  const body = message.body as string | Uint8Array | undefined;
  return typeof body === 'string' ? body.length : (body?.byteLength ?? 0);
}

function main(): void {
  const n = Number(process.argv[2] ?? 100_000);
  const rounds = Number(process.argv[3] ?? 5);
  const results = cases.map((c) => {
    // The SDK's input is prepared outside the timed loop: only its construction and encoding are timed.
    const inputs = Array.from({ length: 1024 }, (_, i) => c.attrs(i));
    const sdk = (i: number): number => sdkBinary(inputs[i & 1023] as Record<string, unknown>);
    timeNsPerEvent(Math.min(n, 20_000), c.ours);
    timeNsPerEvent(Math.min(n, 20_000), sdk);
    const oursNs: number[] = [];
    const sdkNs: number[] = [];
    // Alternating rounds, so a noisy moment of the machine touches both.
    for (let r = 0; r < rounds; r++) {
      oursNs.push(timeNsPerEvent(n, c.ours));
      sdkNs.push(timeNsPerEvent(n, sdk));
    }
    return { name: c.name, oursNs, sdkNs };
  });
  process.stdout.write(`${JSON.stringify({ cases: results })}\n`);
}

main();
