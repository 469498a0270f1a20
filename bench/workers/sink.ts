/**
 * The benchmark sink, run as its own process (fork, IPC): a minimal node:http server on 127.0.0.1 that counts
 * receipts, answers 200 at once, and records end-to-end latency = receipt time − the event's `ce-time` (which
 * each benchmark sets to the produce time). No CloudEvents parsing: the sink must cost as little as possible.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Samples, summarize } from '../lib/stats.js';
import type { SinkReply, SinkRequest, SlowSeconds } from '../lib/sink-protocol.js';

const latencies = new Samples(1 << 16);
/** Events produced before `measureFromMs`: the settling window right after a drain, reported apart. */
const settling = new Samples(1 << 12);
let measureFromMs = Number.NEGATIVE_INFINITY;
/** The latency targets are 20 ms: receipts above that, counted per second since the first measured receipt. */
const slowMs = 20;
let slowPerSecond = new Map<number, { n: number; max: number }>();
let firstMeasuredAt = -1;
let count = 0;
let bytes = 0;
let firstAt = 0;
let lastAt = 0;
let waiters: { n: number; resolve: () => void }[] = [];
/** Parsing an ISO time costs; the same second string repeats, so remember the last one. */
let lastTimeText = '';
let lastTimeMs = 0;

const server = createServer((req, res) => {
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    const now = Date.now();
    const t = req.headers['ce-time'];
    if (typeof t === 'string') {
      if (t !== lastTimeText) {
        lastTimeText = t;
        lastTimeMs = Date.parse(t);
      }
      if (Number.isFinite(lastTimeMs) && lastTimeMs < measureFromMs) {
        settling.push(now - lastTimeMs);
      } else if (Number.isFinite(lastTimeMs)) {
        const latency = now - lastTimeMs;
        latencies.push(latency);
        if (firstMeasuredAt < 0) firstMeasuredAt = performance.now();
        if (latency > slowMs) {
          const second = Math.floor((performance.now() - firstMeasuredAt) / 1000);
          const s = slowPerSecond.get(second) ?? { n: 0, max: 0 };
          s.n++;
          s.max = Math.max(s.max, latency);
          slowPerSecond.set(second, s);
        }
      }
    }
    const at = performance.now();
    if (count === 0) firstAt = at;
    lastAt = at;
    count++;
    res.writeHead(200, { 'content-length': '0' }).end();
    if (waiters.length > 0) {
      const still: typeof waiters = [];
      for (const w of waiters) {
        if (count >= w.n) w.resolve();
        else still.push(w);
      }
      waiters = still;
    }
  });
});
// Clients keep connections open between phases; the sink must not be the one closing them.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;

const send = (m: SinkReply): void => {
  process.send?.(m);
};

process.on('message', (raw: unknown) => {
  const m = raw as SinkRequest;
  switch (m.type) {
    case 'reset':
      count = 0;
      bytes = 0;
      firstAt = 0;
      lastAt = 0;
      latencies.clear();
      settling.clear();
      measureFromMs = m.measureFromMs ?? Number.NEGATIVE_INFINITY;
      firstMeasuredAt = -1;
      slowPerSecond = new Map();
      send({ type: 'ok', id: m.id });
      break;
    case 'stats': {
      const s = summarize(latencies.values());
      const slow: SlowSeconds = {
        slowMs,
        worst: [...slowPerSecond].sort((a, b) => b[1].n - a[1].n).slice(0, 3).map(([second, v]): [number, number, number] => [second, v.n, v.max]),
        secondsWithSlow: slowPerSecond.size,
        seconds: firstMeasuredAt < 0 ? 0 : Math.ceil((lastAt - firstMeasuredAt) / 1000),
      };
      send({ type: 'stats', id: m.id, count, bytes, spanMs: lastAt - firstAt, latency: s, settling: summarize(settling.values()), sinceFirstMs: count > 0 ? performance.now() - firstAt : 0, slow });
      break;
    }
    case 'wait': {
      if (count >= m.count) send({ type: 'ok', id: m.id });
      else waiters.push({ n: m.count, resolve: () => send({ type: 'ok', id: m.id }) });
      break;
    }
    case 'close':
      server.close();
      server.closeAllConnections();
      send({ type: 'ok', id: m.id });
      process.disconnect?.();
      break;
  }
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  send({ type: 'listening', id: 0, url: `http://127.0.0.1:${port}/` });
});
