/**
 * The cron adapter as a process (adapter/main.ts), standalone: flags, a sources file that changes under it,
 * health/readiness/metrics, start-up errors, and a clean exit on SIGTERM.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AdapterProcess, startAdapter } from '../../../support/adapter-process.js';
import { makeLocalCa } from '../../../support/local-ca.js';
import { startTestSink, type TestSink } from '../../../support/test-sink.js';

const running: AdapterProcess[] = [];
const sinks: TestSink[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
  await Promise.all(sinks.splice(0).map((s) => s.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function adapter(args: string[], env: Record<string, string> = {}): AdapterProcess {
  const a = startAdapter(args, env);
  running.push(a);
  return a;
}

async function sink(): Promise<TestSink> {
  const s = await startTestSink();
  sinks.push(s);
  return s;
}

const isoSecond = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/;

describe('headwater-adapter cron (standalone)', () => {
  it('delivers ticks with the documented attributes, overrides and data, and exits 0 on SIGTERM', async () => {
    const s = await sink();
    const a = adapter(
      ['cron', '--sink', s.url, '--schedule', '* * * * * *', '--data', '{"msg":"tick"}', '--content-type', 'application/json', '--name', 'every-second', '--namespace', 'demo'],
      { K_CE_OVERRIDES: '{"extensions":{"team":"ops"}}' },
    );
    const reqs = await s.waitForRequests(2);
    for (const r of reqs) {
      expect(r.event?.type).toBe('dev.knative.sources.ping');
      expect(r.event?.source).toBe('/apis/v1/namespaces/demo/cronsources/every-second');
      expect(r.event?.time).toMatch(isoSecond);
      expect(r.event?.id).toBe(`demo/every-second/${r.event?.time}`);
      expect(r.headers['ce-team']).toBe('ops');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.body.toString()).toBe('{"msg":"tick"}');
    }
    expect(reqs[0]?.event?.id).not.toBe(reqs[1]?.event?.id);

    const health = await a.healthUrl();
    expect((await fetch(`${health}/healthz`)).status).toBe(200);
    await a.waitForLog((l) => l.msg === 'ready');
    expect((await fetch(`${health}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${health}/metrics`)).text();
    expect(metrics).toMatch(/events_delivered_total\{role="cron"\} [1-9]/);
    expect(metrics).toMatch(/cron_sources\{role="cron"\} 1/);
    expect(metrics).toMatch(/delivery_latency_seconds_bucket/);

    expect(await a.stop()).toBe(0);
    expect(a.logs.some((l) => l.msg === 'adapter stopped' && l.code === 0)).toBe(true);
  });

  it('sends dataBase64 as the decoded bytes', async () => {
    const s = await sink();
    const bytes = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0xff]);
    adapter(['cron', '--sink', s.url, '--schedule', '* * * * * *', '--data-base64', bytes.toString('base64')]);
    const [r] = await s.waitForRequests(1);
    expect(Buffer.compare(r?.body ?? Buffer.alloc(0), bytes)).toBe(0);
    expect(r?.headers['content-type']).toBe('application/octet-stream');
  });

  it('dead-letters a tick the sink rejects, with the reason', async () => {
    const s = await sink();
    const dls = await sink();
    s.setDefault({ status: 400 });
    adapter(['cron', '--sink', s.url, '--schedule', '* * * * * *'], {
      K_DELIVERY: JSON.stringify({ retry: 2, backoffDelay: 'PT0.01S', deadLetterSinkUri: dls.url }),
    });
    const [dead] = await dls.waitForRequests(1);
    expect(dead?.event?.type).toBe('dev.knative.sources.ping');
    expect(dead?.headers['ce-headwatererror']).toBe('sink answered HTTP 400');
    expect(dead?.headers['ce-knativeerrordest']).toBe(s.url);
  });

  it('reports ticks missed while the process was paused and sends them late with their lateness', async () => {
    const s = await sink();
    const a = adapter(['cron', '--sink', s.url, '--schedule', '* * * * * *', '--name', 'paused']);
    await s.waitForRequests(1);
    a.child.kill('SIGSTOP');
    // The pause is the situation under test, not a speed expectation. It is measured on the wall clock the
    // scheduler reads (Date.now), which can run at another rate than the monotonic clock timers use.
    const stoppedAt = Date.now();
    while (Date.now() - stoppedAt < 4_000) await new Promise((resolve) => setTimeout(resolve, 100));
    a.child.kill('SIGCONT');
    // Missed ticks are logged as one summary line (not one per tick); the late ticks themselves carry cronlatems.
    const summary = await a.waitForLog((l) => l.msg === 'cron ticks missed their time');
    const lateSummary = summary.late as { ticks: number; maxLateMs: number; examples: string[] };
    expect(lateSummary.ticks).toBeGreaterThan(0);
    expect(lateSummary.maxLateMs).toBeGreaterThan(1_000);
    expect(lateSummary.examples).toContain('default/paused');
    // Wait until every tick from the first one through the first on-time tick after the newest late one arrived.
    const received = () => new Set(s.requests.map((r) => Date.parse(String(r.event?.time))));
    const firstAt = Math.min(...received());
    for (;;) {
      const got = received();
      const lateTimes = s.requests.filter((r) => r.headers['ce-cronlatems'] !== undefined).map((r) => Date.parse(String(r.event?.time)));
      let complete = lateTimes.length > 0;
      const until = Math.max(...lateTimes) + 1000;
      for (let t = firstAt; complete && t <= until; t += 1000) if (!got.has(t)) complete = false;
      if (complete) break;
      await s.waitForRequests(s.requests.length + 1);
    }
    const late = s.requests.filter((r) => r.headers['ce-cronlatems'] !== undefined);
    expect(late.length).toBeGreaterThan(0);
    for (const r of late) {
      expect(Number(r.headers['ce-cronlatems'])).toBeGreaterThan(1_000);
      expect(r.event?.id).toBe(`default/paused/${r.event?.time}`);
    }
    const metrics = await (await fetch(`${await a.healthUrl()}/metrics`)).text();
    expect(metrics).toMatch(/cron_missed_ticks_total\{namespace="default",name="paused",outcome="late",role="cron"\} [1-9]/);
  });

  it('trusts K_CA_CERTS for an HTTPS sink, and refuses the sink without it', async () => {
    const ca = makeLocalCa();
    const s = await startTestSink({ tls: { key: ca.serverKey, cert: ca.serverCert } });
    sinks.push(s);
    adapter(['cron', '--sink', s.url, '--schedule', '* * * * * *', '--name', 'tls'], { K_CA_CERTS: ca.caCert });
    const [r] = await s.waitForRequests(1);
    expect(r?.event?.source).toBe('/apis/v1/namespaces/default/cronsources/tls');

    const untrusting = adapter(['cron', '--sink', s.url, '--schedule', '* * * * * *', '--name', 'notls'], {
      K_DELIVERY: '{"retry":0}',
    });
    const failed = await untrusting.waitForLog((l) => l.msg === 'cron tick not delivered');
    expect(JSON.stringify(failed.err)).toMatch(/certificate/i);
    expect(s.requests.some((q) => q.event?.source?.endsWith('/notls'))).toBe(false);
  });

  it('serves every source in a file; adding and removing one leaves the others ticking', async () => {
    const a1 = await sink();
    const b1 = await sink();
    const dir = mkdtempSync(join(tmpdir(), 'headwater-cron-'));
    dirs.push(dir);
    const file = join(dir, 'sources.json');
    const src = (name: string, url: string) => ({ metadata: { name, namespace: 'f' }, spec: { schedule: '* * * * * *', data: name, sink: { uri: url } } });
    writeFileSync(file, JSON.stringify([src('a', a1.url)]));
    const a = adapter(['cron', '--file', file]);
    await a1.waitForRequests(1);
    writeFileSync(file, JSON.stringify([src('a', a1.url), src('b', b1.url)]));
    await a.waitForLog((l) => l.msg === 'cron source added' && l.source === 'f/b');
    await b1.waitForRequests(2);
    writeFileSync(file, JSON.stringify([src('a', a1.url)]));
    await a.waitForLog((l) => l.msg === 'cron source removed' && l.source === 'f/b');
    const aCount = a1.requests.length;
    await a1.waitForRequests(aCount + 2);
    // source a was never re-added or replaced while b came and went
    expect(a.logs.filter((l) => l.source === 'f/a' && typeof l.msg === 'string' && l.msg.startsWith('cron source')).map((l) => l.msg)).toEqual([
      'cron source added',
    ]);
    // a's ticks are one per second without a gap (sorted: concurrent deliveries may arrive out of order)
    const times = a1.requests.map((r) => Date.parse(String(r.event?.time))).sort((x, y) => x - y);
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBe(1000);
    expect(b1.requests.every((r) => r.body.toString() === 'b')).toBe(true);
  });

  it('fails to start, naming the variable, on a malformed K_CE_OVERRIDES', async () => {
    const a = adapter(['cron', '--sink', 'http://127.0.0.1:9/', '--schedule', '* * * * *'], { K_CE_OVERRIDES: '{"extensions":{"bad name":"x"}}' });
    expect(await a.exited).toBe(1);
    const text = a.stderr.join('');
    expect(text).toMatch(/K_CE_OVERRIDES\.extensions\.bad name: is not a valid CloudEvents extension name/);
  });

  it('fails to start, naming the field, on a bad schedule or an unknown role', async () => {
    const bad = adapter(['cron', '--sink', 'http://127.0.0.1:9/', '--schedule', '* * *']);
    expect(await bad.exited).toBe(1);
    expect(bad.logs.some((l) => typeof l.err === 'object' && JSON.stringify(l.err).includes('spec.schedule'))).toBe(true);
    const role = adapter(['crom']);
    expect(await role.exited).toBe(1);
    const line = JSON.parse(role.stderr.join('').trim().split('\n')[0] ?? '{}') as { msg?: string; level?: string };
    expect(line.level).toBe('error');
    expect(line.msg).toMatch(/^unknown role "crom": use headwater-adapter <cron\|kafka\|redisstream\|trigger>/);
  });
});
