/**
 * The worker side of the IPC every receiving process of the benchmarks speaks (bench/lib/recorder.ts is the
 * harness side): reset, stats, wait for a count, close.
 */
import type { ReceiptRecorder } from '../lib/receipt-recorder.js';
import type { SinkReply, SinkRequest } from '../lib/sink-protocol.js';

export function sendToHarness(m: SinkReply): void {
  process.send?.(m);
}

/** Answers the harness's requests about `recorder`; `close` stops the worker's own work before it leaves. */
export function serveRecorder(recorder: ReceiptRecorder, close: () => Promise<void> | void): void {
  // The channel closes after `close`, or when the harness died: either way this process has no one to answer,
  // and a client library's sockets (kafkajs, ioredis) would keep it alive.
  process.once('disconnect', () => setTimeout(() => process.exit(0), 100).unref());
  process.on('message', (raw: unknown) => {
    const m = raw as SinkRequest;
    switch (m.type) {
      case 'reset':
        recorder.reset(m.measureFromMs);
        sendToHarness({ type: 'ok', id: m.id });
        break;
      case 'stats':
        sendToHarness(recorder.stats(m.id));
        break;
      case 'wait':
        recorder.whenCount(m.count, () => sendToHarness({ type: 'ok', id: m.id }));
        break;
      case 'close':
        void Promise.resolve(close()).finally(() => {
          sendToHarness({ type: 'ok', id: m.id });
          process.disconnect?.();
        });
        break;
    }
  });
}
