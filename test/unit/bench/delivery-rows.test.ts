import { describe, expect, it } from 'vitest';
import { bracketCeiling } from '../../../bench/http-ceiling.js';
import { deliveryRows } from '../../../bench/lib/delivery-rows.js';
import type { SinkStats } from '../../../bench/lib/sink-protocol.js';

const stats = (p99: number, count: number): SinkStats => ({
  type: 'stats',
  id: 1,
  count,
  bytes: 0,
  spanMs: 1000,
  sinceFirstMs: 1000,
  latency: { count, p50: 2, p99, max: p99 + 5 },
  settling: { count: 10, p50: 3, p99: 9, max: 9 },
  slow: { slowMs: 20, worst: [], secondsWithSlow: 0, seconds: 5 },
});

const producer = { sendMs: { count: 100, p50: 1, p99: 9, max: 41 }, largestBatch: 480 };

const ceiling = { eventsPerSecond: 20_000, count: 1, errors: 0, cpuMsPer1000: 50, machineCpuMsPer1000: 70, sinkCpuMsPer1000: 15 };

describe('deliveryRows', () => {
  it('sets the p99 beside the bare consumer’s at the same rate, and prints that consumer’s row', () => {
    const rows = deliveryRows({
      bench: 'kafka',
      label: 'unordered',
      eventsPerSecond: 19_000,
      ceiling,
      halfRate: { offeredPerSecond: 9_500, settleMs: 3000, stats: stats(24, 900), machineShare: 0.7, producer },
      bareLatency: { label: 'kafkajs consumer', half: { offeredPerSecond: 9_480, settleMs: 3000, stats: stats(8, 900), machineShare: 0.4, producer } },
      p99TargetMs: 20,
    });
    const p99 = rows.find((r) => r.metric.startsWith('unordered: p99 latency'));
    expect(p99?.value).toBe(24);
    expect(p99?.reference).toEqual({ label: 'bare kafkajs consumer, same rate', value: 8, unit: 'ms' });
    expect(p99?.ratio).toBe(3);
    expect(p99?.met).toBe(false);
    const bare = rows.find((r) => r.metric === 'unordered: bare kafkajs consumer p99 latency at 9,480 ev/s (no delivery)');
    expect(bare?.value).toBe(8);
    expect(bare?.note).toContain('900 records');
    expect(bare?.note).toContain('machine 40 % busy');
    expect(p99?.note).toContain('producer sends p99 9, max 41 ms, largest 480 events');
  });

  it('prints no bare row and no reference when the phase had no bare consumer', () => {
    const rows = deliveryRows({ bench: 'trigger', label: '', eventsPerSecond: 10_000, ceiling, halfRate: { offeredPerSecond: 5_000, settleMs: 3000, stats: stats(12, 500), machineShare: 0.5, producer } });
    const p99 = rows.find((r) => r.metric.startsWith('p99 latency'));
    expect(p99?.value).toBe(12);
    expect(p99?.reference).toBeUndefined();
    expect(rows.some((r) => r.metric.includes('bare'))).toBe(false);
  });

  it('takes the mean of the ceilings before and after the drain as the reference, and prints how far it moved', () => {
    const after = { eventsPerSecond: 30_000, count: 2, errors: 1, cpuMsPer1000: 40, machineCpuMsPer1000: 60, sinkCpuMsPer1000: 25 };
    const bracketed = bracketCeiling(ceiling, after);
    expect(bracketed).toEqual({
      eventsPerSecond: 25_000,
      count: 3,
      errors: 1,
      cpuMsPer1000: 45,
      machineCpuMsPer1000: 65,
      sinkCpuMsPer1000: 20,
      bracket: { before: 20_000, after: 30_000 },
    });
    const rows = deliveryRows({ bench: 'redis', label: '', eventsPerSecond: 23_000, ceiling: bracketed });
    const share = rows.find((r) => r.metric === 'events/s vs HTTP ceiling');
    expect(share?.ratio).toBeCloseTo(0.92);
    expect(share?.met).toBe(true);
    expect(share?.note).toBe('the ceiling is the mean of 20,000 ev/s just before the drain and 30,000 ev/s just after it (+50 %)');
  });

  it('adds no note to a ceiling measured once', () => {
    const rows = deliveryRows({ bench: 'redis', label: '', eventsPerSecond: 10_000, ceiling });
    expect(rows.find((r) => r.metric === 'events/s vs HTTP ceiling')?.note).toBeUndefined();
  });
});
