/**
 * The sink misbehaves in every way a real one does while the real adapter (redisstream role, a child process)
 * drains a Redis stream into it: 5xx, 429 with Retry-After, hangs past the timeout, reset connections, an
 * answer that is always 500 (so everything is dead-lettered), and an outage of the sink and its dead-letter sink
 * (30 s; HEADWATER_FAULTS_OUTAGE_SECONDS shortens it). Every event must end delivered or dead-lettered; the
 * figures go to test/faults/.results/sink-faults.json.
 * (Random 20% 5xx + a 4 s outage + SIGKILL are covered by test/integration/adapter/noloss.)
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, type ExpectStatic, it } from 'vitest';
import { testEnv, uniqueName } from '../support/env.js';
import { eventually, spawnAdapter, waitReady } from '../integration/adapter/noloss/harness.js';
import { type Fault, type FaultSink, startFaultSink } from './support/fault-sink.js';
import { figuresOf, record } from './support/results.js';

const N = 120;
const outageSeconds = Number(process.env.HEADWATER_FAULTS_OUTAGE_SECONDS ?? '30');
let redis: Redis;

beforeAll(() => {
  redis = new Redis(testEnv.redisUrl(), { maxRetriesPerRequest: null });
});
afterAll(() => {
  redis.disconnect();
});

interface Run {
  sink: FaultSink;
  ids: string[];
  seconds: number;
}

/**
 * Produce N entries (paced, in the background), run the adapter until every id is at the sink or the dead-letter
 * sink (or `waitMs` passed), stop it (exit 0 expected), and return what arrived.
 */
async function drain(expect: ExpectStatic, fault: Fault, delivery: Record<string, unknown>, opts: { failFirst?: number; during?: (sink: FaultSink, arrived: () => number) => Promise<void>; waitMs?: number } = {}): Promise<Run> {
  const t0 = performance.now();
  const sink = await startFaultSink(fault, opts.failFirst ?? 1);
  const stream = uniqueName('faults-sink');
  const adapter = await spawnAdapter('redisstream', {
    K_SINK: sink.sinkUrl,
    K_DELIVERY: JSON.stringify({ deadLetterSinkUri: sink.deadLetterUrl, ...delivery }),
    NAMESPACE: 'faults',
    NAME: stream,
    HOSTNAME: `${stream}-pod`,
    K_SOURCE_CONFIG: JSON.stringify({ address: testEnv.redisUrl(), stream }),
  });
  const ids: string[] = [];
  try {
    await waitReady(adapter);
    const producing = (async () => {
      for (let i = 0; i < N; i++) {
        ids.push((await redis.xadd(stream, '*', 'seq', String(i))) as string);
        if (i % 20 === 19) await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const arrived = (): number => ids.filter((id) => sink.delivered.has(id) || sink.deadLettered.has(id)).length;
    if (opts.during) await opts.during(sink, arrived);
    await producing;
    const all = await eventually(() => arrived() === N, opts.waitMs ?? 120_000);
    if (!all) console.log(adapter.output.slice(-30).join('\n'));
    expect(await adapter.stop()).toBe(0);
    return { sink, ids, seconds: (performance.now() - t0) / 1000 };
  } finally {
    if (adapter.child.exitCode === null) await adapter.kill9();
    await sink.close();
    await redis.del(stream);
  }
}

const quick = { retry: 3, backoffPolicy: 'exponential', backoffDelay: 'PT0.05S', timeout: 'PT1S' };

// The cases share nothing but the Redis server (own stream, sink and adapter process each) and mostly wait
// (on timeouts, Retry-After, the outage), so they run at the same time: the suite then takes about as long
// as the outage case, whose 30 s are the acceptance. Each asserts with its own expect.
describe.concurrent('sink faults (real adapter, real Redis stream)', () => {
  it.for([
    ['sink answers 503 on the first two attempts of every event', { kind: 'status', status: 503 } as Fault, 2],
    ['sink resets the connection on the first attempt of every event', { kind: 'reset' } as Fault, 1],
    ['sink hangs past the 1 s timeout on the first attempt of every event', { kind: 'hang' } as Fault, 1],
  ] as const)('%s: every event delivered, none lost', async ([name, fault, failFirst], { expect }) => {
    const run = await drain(expect, fault, quick, { failFirst });
    const f = figuresOf(run.ids, run.sink.delivered, run.sink.deadLettered);
    const ok = f.lost === 0 && f.delivered === N && run.sink.faultsInjected >= N * failFirst;
    record('sink-faults', {
      area: 'Sink faults',
      fault: name,
      figures: f,
      measures: { faultsInjected: run.sink.faultsInjected, sinkRequests: run.sink.requests },
      expectation: 'every event retried to a 2xx at the sink (retry 3), none lost',
      passed: ok,
      seconds: run.seconds,
    });
    expect(run.sink.faultsInjected).toBeGreaterThanOrEqual(N * failFirst);
    expect(f.lost).toBe(0);
    expect(f.delivered).toBe(N);
  });

  it('sink answers 429 with Retry-After: 1: every event delivered, and the retry waits for it', async ({ expect }) => {
    const run = await drain(expect, { kind: 'status', status: 429, headers: { 'retry-after': '1' } }, quick);
    const f = figuresOf(run.ids, run.sink.delivered, run.sink.deadLettered);
    // The gap between an id's 429 and its retry: a lower bound, which load cannot make flaky.
    const gaps = [...run.sink.attempts.values()].filter((a) => a.length >= 2).map((a) => (a[1] ?? 0) - (a[0] ?? 0));
    const minGap = Math.min(...gaps);
    const ok = f.lost === 0 && f.delivered === N && minGap >= 950;
    record('sink-faults', {
      area: 'Sink faults',
      fault: 'sink answers 429 with Retry-After: 1 on the first attempt of every event',
      figures: f,
      measures: { faultsInjected: run.sink.faultsInjected, shortestRetryGapMs: minGap },
      expectation: 'every event delivered; no retry sooner than the 1 s the sink asked for (backoff alone is 50 ms)',
      passed: ok,
      seconds: run.seconds,
    });
    expect(gaps.length).toBe(N);
    expect(minGap).toBeGreaterThanOrEqual(950);
    expect(f.lost).toBe(0);
    expect(f.delivered).toBe(N);
  });

  it('sink always answers 500: every event dead-lettered after its retries, none lost', async ({ expect }) => {
    const run = await drain(expect, { kind: 'status', status: 500 }, { ...quick, retry: 2 }, { failFirst: Number.MAX_SAFE_INTEGER });
    const f = figuresOf(run.ids, run.sink.delivered, run.sink.deadLettered);
    const attemptsPerId = [...run.sink.attempts.values()].map((a) => a.length);
    const ok = f.lost === 0 && f.deadLettered === N && attemptsPerId.every((n) => n === 3);
    record('sink-faults', {
      area: 'Sink faults',
      fault: 'sink always answers 500',
      figures: f,
      measures: { attemptsPerEvent: `${Math.min(...attemptsPerId)}–${Math.max(...attemptsPerId)}` },
      expectation: 'every event dead-lettered after 1 + 2 retries, none lost',
      passed: ok,
      seconds: run.seconds,
    });
    expect(attemptsPerId.every((n) => n === 3)).toBe(true);
    expect(f.deadLettered).toBe(N);
    expect(f.lost).toBe(0);
  });

  it(`sink and dead-letter sink go away for ${outageSeconds} s mid-stream: nothing lost`, async ({ expect }) => {
    let arrivedBefore = 0;
    const run = await drain(expect, { kind: 'none' }, quick, {
      waitMs: 180_000,
      during: async (sink, arrived) => {
        expect(await eventually(() => arrived() >= N * 0.2, 60_000)).toBe(true);
        arrivedBefore = arrived();
        await sink.goAway(outageSeconds * 1000);
      },
    });
    const f = figuresOf(run.ids, run.sink.delivered, run.sink.deadLettered);
    record('sink-faults', {
      area: 'Sink faults',
      fault: `sink and dead-letter sink unreachable for ${outageSeconds} s mid-stream (connections refused)`,
      figures: f,
      measures: { arrivedBeforeOutage: arrivedBefore, outageSeconds },
      expectation: 'entries stay pending in the group through the outage and are delivered after it; none lost',
      passed: f.lost === 0,
      seconds: run.seconds,
    });
    expect(f.lost).toBe(0);
  });
});
