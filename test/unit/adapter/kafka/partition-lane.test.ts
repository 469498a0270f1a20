import fc from 'fast-check';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { type LaneDeliver, PartitionLane } from '../../../../adapter/kafka/partition-lane.js';

const msgs = (from: number, n: number): KafkaMessage[] =>
  Array.from({ length: n }, (_, i) => ({ key: null, value: null, timestamp: '0', attributes: 0, offset: String(from + i), headers: {} }) as KafkaMessage);

/** A deliver whose calls the test settles one by one, in any order. */
function manualDeliver(): { deliver: LaneDeliver; pending: Map<string, (ok: boolean) => void>; started: string[] } {
  const pending = new Map<string, (ok: boolean) => void>();
  const started: string[] = [];
  return {
    pending,
    started,
    deliver: (m) =>
      new Promise<boolean>((resolve) => {
        started.push(m.offset);
        pending.set(m.offset, resolve);
      }),
  };
}

const settle = async (d: ReturnType<typeof manualDeliver>, offset: string, ok = true): Promise<void> => {
  const resolve = d.pending.get(offset);
  if (resolve === undefined) throw new Error(`offset ${offset} is not being delivered`);
  d.pending.delete(offset);
  resolve(ok);
  await new Promise((r) => setImmediate(r));
};

describe('PartitionLane', () => {
  it('in order: one record at a time, across batches, and the delivered offset follows', async () => {
    const d = manualDeliver();
    const lane = new PartitionLane({ workers: 1, deliver: d.deliver, onDelivered: () => undefined });
    lane.enqueue(msgs(10, 2), '11');
    lane.enqueue(msgs(12, 2), '13');
    expect(d.started).toEqual(['10']);
    await settle(d, '10');
    expect(lane.delivered).toBe('10');
    await settle(d, '11');
    await settle(d, '12');
    expect(d.started).toEqual(['10', '11', '12', '13']);
    expect(lane.delivered).toBe('12');
    await settle(d, '13');
    expect(lane.delivered).toBe('13');
    await lane.idle();
  });

  it('a batch ended by control records is delivered up to its last offset, not its last message', async () => {
    const d = manualDeliver();
    const lane = new PartitionLane({ workers: 1, deliver: d.deliver, onDelivered: () => undefined });
    lane.enqueue(msgs(10, 1), '11');
    await settle(d, '10');
    expect(lane.delivered).toBe('11');
  });

  it('fewer records than workers: only as many workers as records (no spinning on an empty queue)', async () => {
    const d = manualDeliver();
    const lane = new PartitionLane({ workers: 8, deliver: d.deliver, onDelivered: () => undefined });
    lane.enqueue(msgs(0, 3), '2');
    expect(d.started).toEqual(['0', '1', '2']);
    lane.enqueue(msgs(3, 20), '22');
    // 3 running + 5 new = the bound of 8.
    expect(d.started).toHaveLength(8);
  });

  it('unordered: never delivered past a record still in flight, even when later batches finished', async () => {
    const d = manualDeliver();
    const lane = new PartitionLane({ workers: 4, deliver: d.deliver, onDelivered: () => undefined });
    lane.enqueue(msgs(0, 2), '1');
    lane.enqueue(msgs(2, 2), '3');
    expect(d.started).toEqual(['0', '1', '2', '3']);
    await settle(d, '3');
    await settle(d, '2');
    await settle(d, '1');
    expect(lane.delivered).toBeUndefined();
    await settle(d, '0');
    expect(lane.delivered).toBe('3');
  });

  it('for any completion order the delivered offset is the end of the longest delivered prefix', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 10 }),
        fc.infiniteStream(fc.nat()),
        async (sizes, workers, picks) => {
          const d = manualDeliver();
          const lane = new PartitionLane({ workers, deliver: d.deliver, onDelivered: () => undefined });
          let from = 100;
          for (const n of sizes) {
            lane.enqueue(msgs(from, n), String(from + n - 1));
            from += n;
          }
          const done = new Set<number>();
          const it = picks[Symbol.iterator]();
          while (d.pending.size > 0) {
            const inFlight = [...d.pending.keys()];
            const pick = inFlight[it.next().value % inFlight.length]!;
            await settle(d, pick);
            done.add(Number(pick));
            let prefixEnd = 99;
            while (done.has(prefixEnd + 1)) prefixEnd++;
            expect(lane.delivered).toBe(prefixEnd === 99 ? undefined : String(prefixEnd));
          }
          expect(lane.delivered).toBe(String(from - 1));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('room: the fetcher waits while the untaken records exceed the byte budget, unless they are all one batch', async () => {
    const d = manualDeliver();
    // A test record has no key or value, so it counts 64 bytes: a budget of three records.
    const lane = new PartitionLane({ workers: 1, deliver: d.deliver, onDelivered: () => undefined, roomBytes: 3 * 64 });
    lane.enqueue(msgs(0, 6), '5');
    // '0' is taken at once; five untaken records are over the budget, but they are one batch.
    expect(lane.hasRoom).toBe(true);
    lane.enqueue(msgs(6, 1), '6');
    expect(lane.hasRoom).toBe(false);
    let roomy = false;
    void lane.room().then(() => {
      roomy = true;
    });
    await settle(d, '0');
    await settle(d, '1');
    expect(roomy).toBe(false);
    // '3' taken: three untaken records ('4', '5', '6') fit the budget.
    await settle(d, '2');
    expect(roomy).toBe(true);
  });

  it('room: small batches do not hold the fetcher while they fit the default budget', () => {
    const d = manualDeliver();
    const lane = new PartitionLane({ workers: 1, deliver: d.deliver, onDelivered: () => undefined });
    for (let b = 0; b < 50; b++) lane.enqueue(msgs(b * 10, 10), String(b * 10 + 9));
    expect(lane.hasRoom).toBe(true);
  });

  it('end: the untaken records are dropped, the one in flight finishes, delivered stops at it', async () => {
    const d = manualDeliver();
    const delivered: string[] = [];
    const lane = new PartitionLane({
      workers: 1,
      deliver: (m, live) => d.deliver(m, live).then((ok) => ok && live() && delivered.push(m.offset) > 0),
      onDelivered: () => undefined,
    });
    lane.enqueue(msgs(0, 3), '2');
    lane.end();
    expect(lane.hasRoom).toBe(true);
    let idle = false;
    void lane.idle().then(() => {
      idle = true;
    });
    await settle(d, '0');
    expect(idle).toBe(true);
    expect(d.started).toEqual(['0']);
    // The handler saw the lane end (live() false) and reported the record as not delivered.
    expect(delivered).toEqual([]);
    expect(lane.delivered).toBeUndefined();
    lane.enqueue(msgs(3, 1), '3');
    expect(d.started).toEqual(['0']);
  });

  it('after: no record starts until the previous lane of the partition finished what it had on the wire', async () => {
    const old = manualDeliver();
    const previous = new PartitionLane({ workers: 1, deliver: old.deliver, onDelivered: () => undefined });
    previous.enqueue(msgs(10, 2), '11');
    previous.end();
    const d = manualDeliver();
    const lane = new PartitionLane({ workers: 1, deliver: d.deliver, onDelivered: () => undefined, after: previous.idle() });
    lane.enqueue(msgs(10, 2), '11');
    await new Promise((r) => setImmediate(r));
    expect(d.started).toEqual([]);
    // The old copy of offset 10 completes; only then does the new lane deliver, in order.
    await settle(old, '10');
    expect(d.started).toEqual(['10']);
    await settle(d, '10');
    expect(d.started).toEqual(['10', '11']);
  });

  it('after: a lane ended before its gate opened delivers nothing', async () => {
    let open: () => void = () => undefined;
    const d = manualDeliver();
    const lane = new PartitionLane({ workers: 1, deliver: d.deliver, onDelivered: () => undefined, after: new Promise<void>((r) => { open = r; }) });
    lane.enqueue(msgs(0, 3), '2');
    lane.end();
    await lane.idle();
    open();
    await new Promise((r) => setImmediate(r));
    expect(d.started).toEqual([]);
  });

  it('a record that is not delivered stops its worker and holds the prefix', async () => {
    const d = manualDeliver();
    const lane = new PartitionLane({ workers: 1, deliver: d.deliver, onDelivered: () => undefined });
    lane.enqueue(msgs(0, 2), '1');
    await settle(d, '0', false);
    expect(lane.delivered).toBeUndefined();
    expect(d.started).toEqual(['0']);
    await lane.idle();
  });

  it('uncommitted: the delivered offset until it is marked committed, then nothing until it moves', async () => {
    const d = manualDeliver();
    let pokes = 0;
    const lane = new PartitionLane({
      workers: 1,
      deliver: d.deliver,
      onDelivered: () => {
        pokes++;
      },
    });
    lane.enqueue(msgs(5, 2), '6');
    expect(lane.uncommitted).toBeUndefined();
    await settle(d, '5');
    expect(lane.uncommitted).toBe('5');
    lane.markCommitted('5');
    expect(lane.uncommitted).toBeUndefined();
    await settle(d, '6');
    expect(lane.uncommitted).toBe('6');
    expect(pokes).toBe(2);
  });
});
