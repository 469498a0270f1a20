/**
 * The benchmark sink, run as its own process (fork, IPC): a minimal node:http server on 127.0.0.1 that counts
 * receipts, answers 200 at once, and records end-to-end latency = receipt time − the event's `ce-time` (which
 * each benchmark sets to the produce time). No CloudEvents parsing: the sink must cost as little as possible.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ReceiptRecorder } from '../lib/receipt-recorder.js';
import { sendToHarness, serveRecorder } from './serve-recorder.js';

const recorder = new ReceiptRecorder();
/** Parsing an ISO time costs; the same second string repeats, so remember the last one. */
let lastTimeText = '';
let lastTimeMs = Number.NaN;

const server = createServer((req, res) => {
  let bytes = 0;
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    const now = Date.now();
    const t = req.headers['ce-time'];
    let producedAt = Number.NaN;
    if (typeof t === 'string') {
      if (t !== lastTimeText) {
        lastTimeText = t;
        lastTimeMs = Date.parse(t);
      }
      producedAt = lastTimeMs;
    }
    recorder.record(producedAt, bytes, now);
    res.writeHead(200, { 'content-length': '0' }).end();
  });
});
// Clients keep connections open between phases; the sink must not be the one closing them.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;

serveRecorder(recorder, () => {
  server.close();
  server.closeAllConnections();
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  sendToHarness({ type: 'listening', id: 0, url: `http://127.0.0.1:${port}/` });
});
