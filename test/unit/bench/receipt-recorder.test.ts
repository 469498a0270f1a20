import { describe, expect, it } from 'vitest';
import { ReceiptRecorder, slowMs } from '../../../bench/lib/receipt-recorder.js';

const t0 = 1_000_000;

describe('ReceiptRecorder', () => {
  it('keeps the settling window apart from the measured latency', () => {
    const r = new ReceiptRecorder();
    r.reset(t0);
    r.record(t0 - 500, 10, t0 + 100); // produced before measureFrom: settling, 600 ms late
    r.record(t0 + 10, 10, t0 + 15);
    r.record(t0 + 20, 10, t0 + 22);
    const s = r.stats(1, t0 + 30);
    expect(s.count).toBe(3);
    expect(s.bytes).toBe(30);
    expect(s.settling).toEqual({ count: 1, p50: 600, p99: 600, max: 600 });
    expect(s.latency).toEqual({ count: 2, p50: 2, p99: 5, max: 5 });
    expect(s.spanMs).toBe(t0 + 22 - (t0 + 100));
  });

  it('counts receipts over the slow threshold per second since the first measured one, worst first', () => {
    const r = new ReceiptRecorder();
    r.reset(t0);
    r.record(t0, 1, t0 + 1); // first measured receipt at t0 + 1
    r.record(t0 + 1000, 1, t0 + 1001 + slowMs + 5); // second 1
    r.record(t0 + 2000, 1, t0 + 2001 + slowMs + 1); // second 2
    r.record(t0 + 2100, 1, t0 + 2101 + slowMs + 9); // second 2
    r.record(t0 + 2200, 1, t0 + 2200 + slowMs); // exactly at the threshold: not slow
    const { slow } = r.stats(1, t0 + 3000);
    expect(slow.worst).toEqual([
      [2, 2, slowMs + 10],
      [1, 1, slowMs + 6],
    ]);
    expect(slow.secondsWithSlow).toBe(2);
    expect(slow.seconds).toBe(3);
  });

  it('counts a receipt without a produce time but leaves it out of the latency', () => {
    const r = new ReceiptRecorder();
    r.record(Number.NaN, 7, t0);
    const s = r.stats(1, t0);
    expect(s.count).toBe(1);
    expect(s.latency.count).toBe(0);
    expect(s.settling.count).toBe(0);
  });

  it('answers a wait once the count is reached, and at once when it already is', () => {
    const r = new ReceiptRecorder();
    const answered: string[] = [];
    r.whenCount(2, () => answered.push('two'));
    r.record(t0, 1, t0);
    expect(answered).toEqual([]);
    r.record(t0, 1, t0);
    expect(answered).toEqual(['two']);
    r.whenCount(1, () => answered.push('one'));
    expect(answered).toEqual(['two', 'one']);
  });

  it('forgets everything at reset', () => {
    const r = new ReceiptRecorder();
    r.record(t0, 1, t0 + 50);
    r.reset();
    const s = r.stats(1, t0 + 60);
    expect(s.count).toBe(0);
    expect(s.latency.count).toBe(0);
    expect(s.slow.secondsWithSlow).toBe(0);
    expect(s.sinceFirstMs).toBe(0);
  });
});
