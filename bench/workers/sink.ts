/**
 * The benchmark sink, run as its own process (fork, IPC): a minimal node:http server on 127.0.0.1 that counts
 * receipts, answers 200 at once, and records end-to-end latency = receipt time − the event's `ce-time` (which
 * each benchmark sets to the produce time). No CloudEvents parsing: the sink must cost as little as possible.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Samples, summarize } from '../lib/stats.js';
import type { SinkReply, SinkRequest } from '../lib/sink-protocol.js';

const latencies = new Samples(1 << 16);
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
      if (Number.isFinite(lastTimeMs)) latencies.push(now - lastTimeMs);
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
      send({ type: 'ok', id: m.id });
      break;
    case 'stats': {
      const s = summarize(latencies.values());
      send({ type: 'stats', id: m.id, count, bytes, spanMs: lastAt - firstAt, latency: s, sinceFirstMs: count > 0 ? performance.now() - firstAt : 0 });
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
