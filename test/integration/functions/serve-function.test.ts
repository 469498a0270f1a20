/**
 * The sample sink functions over real HTTP: the serve-function helper (validation, limits, replies) and
 * event-display, fed by the adapter runtime's own sender.
 */
import { CloudEvent } from 'cloudevents';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpPool, type HttpPool } from '../../../adapter/runtime/http-pool.js';
import { deliverToSink } from '../../../adapter/runtime/sink-delivery.js';
import { createLogger } from '../../../lib/log.js';
import eventDisplay, { type DisplayedEvent, recent, startEventDisplay } from '../../../samples/functions/event-display/index.js';
import { type ServedFunction, serveFunction } from '../../../samples/functions/lib/serve-function.js';

const logger = createLogger({ test: 'functions' }, { level: 'error' });
let pool: HttpPool;
const served: ServedFunction[] = [];

beforeAll(() => {
  pool = createHttpPool();
});
afterEach(async () => {
  await Promise.all(served.splice(0).map((s) => s.close()));
  recent.splice(0);
});
afterAll(async () => {
  await pool.close();
});

async function serve(fn: Parameters<typeof serveFunction>[0], maxBodyBytes?: number): Promise<ServedFunction> {
  const s = await serveFunction(fn, { port: 0, host: '127.0.0.1', logger, ...(maxBodyBytes ? { maxBodyBytes } : {}) });
  served.push(s);
  return s;
}

const target = (uri: string) => ({
  uri,
  timeoutMs: 5_000,
  delivery: { retry: 0, backoffPolicy: 'linear' as const, backoffDelayMs: 10, maxDelayMs: 100 },
});

describe('event-display', () => {
  it('logs what it receives and shows the last events on GET /events', async () => {
    const s = await startEventDisplay({ port: 0, host: '127.0.0.1' });
    served.push(s);
    const json = new CloudEvent<unknown>({ id: 'a', source: '/s', type: 't', datacontenttype: 'application/json', data: { n: 1 } });
    const bytes = new CloudEvent<unknown>({ id: 'b', source: '/s', type: 't', datacontenttype: 'application/octet-stream', data: new Uint8Array([0xff, 0x00]) });
    expect(await deliverToSink(json, target(s.url), { http: pool, logger })).toEqual({ kind: 'delivered', attempts: 1 });
    expect(await deliverToSink(bytes, target(s.url), { http: pool, logger })).toEqual({ kind: 'delivered', attempts: 1 });
    const shown = (await (await fetch(new URL('/events', s.url))).json()) as DisplayedEvent[];
    expect(shown.map((e) => e.attributes.id)).toEqual(['a', 'b']);
    expect(shown.map((e) => e.path)).toEqual(['/', '/']);
    expect(shown[0]?.data).toEqual({ n: 1 });
    expect(shown[1]?.dataBase64).toBe(Buffer.from([0xff, 0x00]).toString('base64'));
  });

  it('takes events on any path and shows it (a dead-letter URI like /dead-letters)', async () => {
    const s = await startEventDisplay({ port: 0, host: '127.0.0.1' });
    served.push(s);
    const dead = new CloudEvent<unknown>({ id: 'd', source: '/s', type: 't', headwatererror: 'sink answered HTTP 400' });
    expect(await deliverToSink(dead, target(new URL('/dead-letters', s.url).toString()), { http: pool, logger })).toEqual({
      kind: 'delivered',
      attempts: 1,
    });
    const shown = (await (await fetch(new URL('/events', s.url))).json()) as DisplayedEvent[];
    expect(shown).toHaveLength(1);
    expect(shown[0]?.path).toBe('/dead-letters');
    expect(shown[0]?.attributes.headwatererror).toBe('sink answered HTTP 400');
  });

  it('is a plain default-export function', async () => {
    await eventDisplay(new CloudEvent<unknown>({ id: 'x', source: '/s', type: 't' }));
    expect(recent.map((e) => e.attributes.id)).toEqual(['x']);
  });
});

describe('serveFunction', () => {
  it('hands the function a validated CloudEvent and replies with the event it returns', async () => {
    const seen: CloudEvent<unknown>[] = [];
    const s = await serve(async (event) => {
      seen.push(event);
      return new CloudEvent<unknown>({ id: `reply-${event.id}`, source: '/fn', type: 'reply', data: { ok: true } });
    });
    const res = await fetch(s.url, {
      method: 'POST',
      headers: { 'ce-id': '1', 'ce-source': '/x', 'ce-type': 't', 'ce-specversion': '1.0', 'content-type': 'application/json' },
      body: '{"v":2}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('ce-id')).toBe('reply-1');
    expect(await res.json()).toEqual({ ok: true });
    expect(seen[0]?.data).toEqual({ v: 2 });
  });

  it('answers 204 when the function returns nothing, 500 when it throws', async () => {
    const ok = await serve(async () => undefined);
    const ce = { 'ce-id': '1', 'ce-source': '/x', 'ce-type': 't', 'ce-specversion': '1.0', 'content-type': 'text/plain' };
    expect((await fetch(ok.url, { method: 'POST', headers: ce, body: 'hi' })).status).toBe(204);
    const failing = await serve(async () => {
      throw new Error('database down');
    });
    const res = await fetch(failing.url, { method: 'POST', headers: ce, body: 'hi' });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'function failed: database down' });
  });

  it.each([
    ['a plain POST', { 'content-type': 'application/json' }, '{"a":1}', /not a CloudEvent: no cloud event detected/],
    ['missing ce-source', { 'ce-id': '1', 'ce-type': 't', 'ce-specversion': '1.0', 'content-type': 'text/plain' }, 'x', /invalid CloudEvent/],
    [
      'JSON content type with a non-JSON body',
      { 'ce-id': '1', 'ce-source': '/x', 'ce-type': 't', 'ce-specversion': '1.0', 'content-type': 'application/json' },
      '{not json',
      /not a CloudEvent/,
    ],
    [
      'a text content type with bytes that are not UTF-8',
      { 'ce-id': '1', 'ce-source': '/x', 'ce-type': 't', 'ce-specversion': '1.0', 'content-type': 'text/plain' },
      Buffer.from([0xc3, 0x28]),
      /not valid UTF-8/,
    ],
    ['a structured body that is not JSON', { 'content-type': 'application/cloudevents+json' }, 'nope', /not a CloudEvent/],
  ])('rejects %s with 400 and the reason', async (_name, headers, body, reason) => {
    let called = false;
    const s = await serve(async () => {
      called = true;
    });
    const res = await fetch(s.url, { method: 'POST', headers, body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(reason);
    expect(called).toBe(false);
  });

  it('answers 413 for a body over the limit', async () => {
    const s = await serve(async () => undefined, 1024);
    const res = await fetch(s.url, {
      method: 'POST',
      headers: { 'ce-id': '1', 'ce-source': '/x', 'ce-type': 't', 'ce-specversion': '1.0', 'content-type': 'text/plain' },
      body: 'x'.repeat(4096),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'body is over the limit of 1024 bytes' });
  });
});
