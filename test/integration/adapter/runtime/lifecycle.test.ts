/**
 * The adapter lifecycle in-process (runAdapter) with a small test role and a real local sink: readiness,
 * metrics endpoint, and the two shutdown phases (in-flight events finish; past the grace period they are
 * abandoned and reported as not safe, so nothing is acked that was not delivered).
 */
import { CloudEvent } from 'cloudevents';
import { afterEach, describe, expect, it } from 'vitest';
import type { EmitOutcome } from '../../../../adapter/runtime/emitter.js';
import { DeliveryError } from '../../../../adapter/runtime/errors.js';
import { runAdapter } from '../../../../adapter/runtime/lifecycle.js';
import type { RoleContext, RunRole } from '../../../../adapter/runtime/role.js';
import { startTestSink, type TestSink } from '../../../support/test-sink.js';

const sinks: TestSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

/** A role that emits `count` events as soon as it runs and records what each emit settled to. */
function emittingRole(count: number) {
  const settled: (EmitOutcome | Error)[] = [];
  let ctxSeen: RoleContext | undefined;
  const all: Promise<unknown>[] = [];
  const run: RunRole = async (_cfg, ctx) => {
    ctxSeen = ctx;
    ctx.setReady(true);
    for (let i = 0; i < count; i++) {
      const event = new CloudEvent<unknown>({ id: `ev-${i}`, source: '/test', type: 'test.event', data: { i } });
      all.push(
        ctx.emitter.emit(event).then(
          (o) => settled.push(o),
          (e: Error) => settled.push(e),
        ),
      );
    }
    return {
      async stop() {
        await Promise.allSettled(all);
      },
    };
  };
  return { run, settled, ctx: () => ctxSeen };
}

const env = (sinkUrl: string) => ({ K_SINK: sinkUrl, PORT: '0', BIND_ADDRESS: '127.0.0.1', K_DELIVERY: '{"retry":0}' });
const quiet = () => {};

describe('runAdapter', () => {
  it('serves health, readiness and metrics, and lets in-flight events finish on shutdown', async () => {
    const sink = await startTestSink();
    sinks.push(sink);
    sink.setDefault({ hold: true });
    const role = emittingRole(2);
    const adapter = await runAdapter('cron', [], env(sink.url), { handleSignals: false, runRole: role.run, logWrite: quiet, graceMs: 60_000 });
    await sink.waitForRequests(2);
    expect((await fetch(`${adapter.health.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${adapter.health.url}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${adapter.health.url}/metrics`)).text()).toMatch(/events_received_total\{role="cron"\} 2/);

    adapter.shutdown.trigger('test');
    expect((await fetch(`${adapter.health.url}/readyz`)).status).toBe(503);
    expect(role.settled).toHaveLength(0);
    // the sink answers the two held requests: they complete inside the grace period
    sink.release(200);
    expect(await adapter.finished).toBe(0);
    expect(role.settled).toEqual([
      { kind: 'delivered', attempts: 1 },
      { kind: 'delivered', attempts: 1 },
    ]);
  });

  it('abandons events still in flight when the grace period ends, reporting them as not safe', async () => {
    const sink = await startTestSink();
    sinks.push(sink);
    sink.setDefault({ hang: true });
    const role = emittingRole(3);
    const adapter = await runAdapter('cron', [], { ...env(sink.url), K_SINK_TIMEOUT: '600' }, {
      handleSignals: false,
      runRole: role.run,
      logWrite: quiet,
      graceMs: 200,
    });
    await sink.waitForRequests(3);
    adapter.shutdown.trigger('test');
    expect(await adapter.finished).toBe(0);
    expect(role.settled).toHaveLength(3);
    for (const s of role.settled) {
      expect(s).toBeInstanceOf(DeliveryError);
      expect((s as DeliveryError).kind).toBe('shutting-down');
    }
  });

  it('delivers what the sink accepts before stopping', async () => {
    const sink = await startTestSink();
    sinks.push(sink);
    const role = emittingRole(3);
    const adapter = await runAdapter('cron', [], env(sink.url), { handleSignals: false, runRole: role.run, logWrite: quiet });
    await sink.waitForRequests(3);
    adapter.shutdown.trigger('test');
    expect(await adapter.finished).toBe(0);
    expect(role.settled).toEqual([
      { kind: 'delivered', attempts: 1 },
      { kind: 'delivered', attempts: 1 },
      { kind: 'delivered', attempts: 1 },
    ]);
    expect(role.ctx()?.metrics.role).toBe('cron');
  });

  it('a stop during a start that hangs exits at once, and stops the role if its start completes later', async () => {
    const sink = await startTestSink();
    sinks.push(sink);
    let finishStart: () => void = () => {};
    let stopped = 0;
    const run: RunRole = () =>
      new Promise((resolve) => {
        // Like kafkajs retrying a refused broker: the start ignores the intake signal and takes its time.
        finishStart = () => resolve({ stop: async () => void stopped++ });
      });
    const adapter = await runAdapter('cron', [], env(sink.url), { handleSignals: false, runRole: run, logWrite: quiet, graceMs: 60_000 });
    expect((await fetch(`${adapter.health.url}/readyz`)).status).toBe(503);
    adapter.shutdown.trigger('test');
    expect(await adapter.finished).toBe(0);
    expect(stopped).toBe(0);
    finishStart();
    await new Promise((r) => setTimeout(r, 10));
    expect(stopped).toBe(1);
  });
});
