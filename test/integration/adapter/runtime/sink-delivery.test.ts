/**
 * The HTTP send against a real local sink (node:http / node:https on 127.0.0.1): encoding, retries, Retry-After,
 * dead-lettering with reasons, timeouts, TLS trust, size limit, backpressure and shutdown.
 */
import { CloudEvent } from 'cloudevents';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryPolicy } from '../../../../adapter/runtime/config.js';
import { createHttpEmitter } from '../../../../adapter/runtime/emitter.js';
import { DeliveryError } from '../../../../adapter/runtime/errors.js';
import { createHttpPool, type HttpPool } from '../../../../adapter/runtime/http-pool.js';
import { createAdapterMetrics } from '../../../../adapter/runtime/metrics.js';
import { deliverToSink, type SinkDeliveryDeps, type SinkTarget } from '../../../../adapter/runtime/sink-delivery.js';
import { sleep } from '../../../../lib/backoff.js';
import { createLogger } from '../../../../lib/log.js';
import { type LocalCa, makeLocalCa } from '../../../support/local-ca.js';
import { startTestSink, type TestSink } from '../../../support/test-sink.js';

const fast: DeliveryPolicy = { retry: 3, backoffPolicy: 'exponential', backoffDelayMs: 10, maxDelayMs: 5_000 };
let pool: HttpPool;
const sinks: TestSink[] = [];
const logger = createLogger({ test: 'sink-delivery' }, { level: 'error' });

async function sink(opts?: Parameters<typeof startTestSink>[0]): Promise<TestSink> {
  const s = await startTestSink(opts);
  sinks.push(s);
  return s;
}

function event(extra: Record<string, unknown> = {}): CloudEvent<unknown> {
  return new CloudEvent<unknown>({
    id: 'topic-0-42',
    source: '/apis/v1/namespaces/ns/kafkasources/k#topic',
    type: 'dev.headwater.kafka.record',
    time: '2026-01-01T00:00:00.000Z',
    datacontenttype: 'application/json',
    data: { hello: 'world' },
    ...extra,
  });
}

function deps(extra: Partial<SinkDeliveryDeps> = {}): SinkDeliveryDeps {
  return { http: pool, logger, ...extra };
}

function target(uri: string, extra: Partial<SinkTarget> = {}): SinkTarget {
  return { uri, delivery: fast, timeoutMs: 5_000, ...extra };
}

beforeAll(() => {
  pool = createHttpPool();
});
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await pool.close();
});

describe('deliverToSink', () => {
  it('sends binary mode: attributes, overrides, traceparent and data arrive as sent', async () => {
    const s = await sink();
    const metrics = createAdapterMetrics('test', { defaultMetrics: false });
    const emitter = createHttpEmitter(
      { sink: s.url, ceOverrides: { team: 'payments' }, timeoutMs: 5_000, delivery: fast, maxInFlight: 4, maxEventBytes: 1 << 20 },
      { http: pool, logger, metrics },
    );
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const outcome = await emitter.emit(event({ traceparent: tp }));
    expect(outcome).toEqual({ kind: 'delivered', attempts: 1 });
    const [req] = await s.waitForRequests(1);
    expect(req?.headers['ce-id']).toBe('topic-0-42');
    expect(req?.headers['ce-type']).toBe('dev.headwater.kafka.record');
    expect(req?.headers['ce-source']).toBe('/apis/v1/namespaces/ns/kafkasources/k#topic');
    expect(req?.headers['ce-specversion']).toBe('1.0');
    expect(req?.headers['ce-team']).toBe('payments');
    expect(req?.headers.traceparent).toBe(tp);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.body.toString()).toBe('{"hello":"world"}');
    expect(req?.event?.data).toEqual({ hello: 'world' });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/events_received_total\{role="test"\} 1/);
    expect(text).toMatch(/events_delivered_total\{role="test"\} 1/);
    expect(text).toMatch(/delivery_latency_seconds_count\{role="test"\} 1/);
    await emitter.close();
  });

  it('sends structured mode on request', async () => {
    const s = await sink();
    await deliverToSink(event(), target(s.url, { mode: 'structured' }), deps());
    const [req] = await s.waitForRequests(1);
    expect(req?.headers['content-type']).toMatch(/^application\/cloudevents\+json/);
    expect(JSON.parse(req?.body.toString() ?? '')).toMatchObject({ id: 'topic-0-42', data: { hello: 'world' } });
  });

  it('delivers non-UTF-8 bytes and non-JSON text unchanged', async () => {
    const s = await sink();
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]);
    await deliverToSink(event({ datacontenttype: 'application/octet-stream', data: bytes }), target(s.url), deps());
    await deliverToSink(event({ id: 'text', datacontenttype: 'text/plain', data: 'not { json' }), target(s.url), deps());
    const [bin, txt] = await s.waitForRequests(2);
    expect(Buffer.compare(bin?.body ?? Buffer.alloc(0), bytes)).toBe(0);
    expect(txt?.body.toString()).toBe('not { json');
    expect(txt?.headers['content-type']).toBe('text/plain');
  });

  it('retries a 500 and succeeds on the 200 that follows', async () => {
    const s = await sink();
    s.respond({ status: 500 }, { status: 503 });
    const metrics = createAdapterMetrics('test', { defaultMetrics: false });
    const outcome = await deliverToSink(event(), target(s.url), deps({ metrics }));
    expect(outcome).toEqual({ kind: 'delivered', attempts: 3 });
    expect(s.requests.map((r) => r.headers['ce-id'])).toEqual(['topic-0-42', 'topic-0-42', 'topic-0-42']);
    expect(await metrics.registry.metrics()).toMatch(/events_retried_total\{role="test"\} 2/);
  });

  it('sends a 400 straight to the dead-letter sink with the failure in extensions', async () => {
    const s = await sink();
    const dls = await sink();
    s.respond({ status: 400, body: 'field "x" is required' });
    const metrics = createAdapterMetrics('test', { defaultMetrics: false });
    const outcome = await deliverToSink(event(), target(s.url, { deadLetterUri: dls.url }), deps({ metrics }));
    expect(outcome).toEqual({ kind: 'dead-lettered', attempts: 1, reason: 'sink answered HTTP 400' });
    expect(s.requests).toHaveLength(1);
    const [dead] = await dls.waitForRequests(1);
    expect(dead?.headers['ce-id']).toBe('topic-0-42');
    expect(dead?.headers['ce-knativeerrordest']).toBe(s.url);
    expect(dead?.headers['ce-knativeerrorcode']).toBe('400');
    expect(Buffer.from(String(dead?.headers['ce-knativeerrordata']), 'base64').toString()).toBe('field "x" is required');
    expect(dead?.headers['ce-headwatererror']).toBe('sink answered HTTP 400');
    expect(dead?.body.toString()).toBe('{"hello":"world"}');
    expect(await metrics.registry.metrics()).toMatch(/events_dead_lettered_total\{role="test"\} 1/);
  });

  it('dead-letters after the retries of a retryable failure run out', async () => {
    const s = await sink();
    const dls = await sink();
    s.setDefault({ status: 502 });
    const outcome = await deliverToSink(event(), target(s.url, { delivery: { ...fast, retry: 2 }, deadLetterUri: dls.url }), deps());
    expect(outcome).toEqual({ kind: 'dead-lettered', attempts: 3, reason: 'sink answered HTTP 502 (gave up after 3 attempts)' });
    expect(s.requests).toHaveLength(3);
    expect((await dls.waitForRequests(1))[0]?.headers['ce-headwatererror']).toBe('sink answered HTTP 502 (gave up after 3 attempts)');
  });

  it('rejects with a typed DeliveryError (nothing acked) when there is no dead-letter sink', async () => {
    const s = await sink();
    s.setDefault({ status: 422 });
    const err = await deliverToSink(event(), target(s.url), deps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).retryable).toBe(false);
    expect((err as DeliveryError).message).toMatch(/not delivered to .*HTTP 422/);
    expect(s.requests).toHaveLength(1);
  });

  it('honours Retry-After on a 429', async () => {
    const s = await sink();
    s.respond({ status: 429, headers: { 'retry-after': '1' } });
    const waits: number[] = [];
    const recordingSleep = (ms: number, signal?: AbortSignal) => {
      waits.push(ms);
      return sleep(ms, signal);
    };
    const outcome = await deliverToSink(event(), target(s.url), deps({ sleep: recordingSleep }));
    expect(outcome).toEqual({ kind: 'delivered', attempts: 2 });
    // the backoff alone would be ~10 ms; the sink asked for one second
    expect(waits).toEqual([1000]);
  });

  it('times out a sink that hangs, then dead-letters with the reason', async () => {
    const s = await sink();
    const dls = await sink();
    s.setDefault({ hang: true });
    const outcome = await deliverToSink(
      event(),
      target(s.url, { timeoutMs: 300, delivery: { ...fast, retry: 1 }, deadLetterUri: dls.url }),
      deps(),
    );
    expect(outcome).toEqual({
      kind: 'dead-lettered',
      attempts: 2,
      reason: 'sink did not answer within 300 ms (gave up after 2 attempts)',
    });
    expect((await dls.waitForRequests(1))[0]?.headers['ce-knativeerrorcode']).toBeUndefined();
  });

  it('reports a sink that went away as a retryable DeliveryError', async () => {
    const s = await sink();
    const url = s.url;
    await s.close();
    const err = await deliverToSink(event(), target(url, { delivery: { ...fast, retry: 1 } }), deps()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).kind).toBe('network');
    expect((err as DeliveryError).retryable).toBe(true);
    expect((err as DeliveryError).attempts).toBe(2);
  });

  it('dead-letters an event over the size limit without sending it to the sink', async () => {
    const s = await sink();
    const dls = await sink();
    const big = 'x'.repeat(2048);
    const outcome = await deliverToSink(
      event({ datacontenttype: 'text/plain', data: big }),
      target(s.url, { maxEventBytes: 1024, deadLetterUri: dls.url }),
      deps(),
    );
    expect(outcome).toEqual({ kind: 'dead-lettered', attempts: 0, reason: 'event body is 2048 bytes, over the limit of 1024 bytes' });
    expect(s.requests).toHaveLength(0);
    const [dead] = await dls.waitForRequests(1);
    expect(dead?.headers['ce-headwatererror']).toBe('event body is 2048 bytes, over the limit of 1024 bytes');
    expect(dead?.body.length).toBe(2048);
    const err = await deliverToSink(event({ data: big }), target(s.url, { maxEventBytes: 1024 }), deps()).catch((e: unknown) => e);
    expect((err as DeliveryError).kind).toBe('too-large');
    expect((err as DeliveryError).retryable).toBe(false);
  });

  it('abandons in-flight deliveries on shutdown without reporting them safe', async () => {
    const s = await sink();
    s.setDefault({ hang: true });
    const abandon = new AbortController();
    const pending = deliverToSink(event(), target(s.url, { timeoutMs: 60_000 }), deps({ signal: abandon.signal }));
    await s.waitForRequests(1);
    abandon.abort();
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).kind).toBe('shutting-down');
  });
});

describe('HTTPS sinks', () => {
  let ca: LocalCa;
  let otherCa: LocalCa;
  beforeAll(() => {
    ca = makeLocalCa('headwater-test-ca');
    otherCa = makeLocalCa('some-other-ca');
  });

  it('trusts the CA given in K_CA_CERTS', async () => {
    const s = await sink({ tls: { key: ca.serverKey, cert: ca.serverCert } });
    expect(s.url).toMatch(/^https:/);
    const outcome = await deliverToSink(event(), target(s.url, { caCerts: ca.caCert }), deps());
    expect(outcome).toEqual({ kind: 'delivered', attempts: 1 });
    expect((await s.waitForRequests(1))[0]?.headers['ce-id']).toBe('topic-0-42');
  });

  it('refuses a sink whose certificate another CA signed', async () => {
    const s = await sink({ tls: { key: ca.serverKey, cert: ca.serverCert } });
    const err = await deliverToSink(event(), target(s.url, { caCerts: otherCa.caCert, delivery: { ...fast, retry: 0 } }), deps()).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as DeliveryError).kind).toBe('network');
    expect((err as Error).message).toMatch(/certificate|self.signed|verify/i);
    expect(s.requests).toHaveLength(0);
  });
});

describe('backpressure', () => {
  it('keeps at most maxInFlight events on the wire; the rest wait for a slot', async () => {
    const s = await sink();
    s.setDefault({ hang: true });
    const emitter = createHttpEmitter(
      { sink: s.url, ceOverrides: {}, timeoutMs: 400, delivery: { ...fast, retry: 5 }, maxInFlight: 2, maxEventBytes: 1 << 20 },
      { http: pool, logger },
    );
    const all = Array.from({ length: 6 }, (_, i) => emitter.emit(event({ id: `e${i}` })));
    await s.waitForRequests(2);
    // From now on the sink answers: the hung requests time out and are retried, the waiting events get their turn.
    s.setDefault({ status: 200 });
    const outcomes = await Promise.all(all);
    expect(outcomes.every((o) => o.kind === 'delivered')).toBe(true);
    expect(new Set(s.requests.map((r) => r.headers['ce-id']))).toEqual(new Set(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']));
    expect(s.maxInFlight).toBeLessThanOrEqual(2);
    await emitter.close();
  });
});
