import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { AttemptSignal } from '../../../../adapter/runtime/attempt-signal.js';
import { PostAbortedError, post } from '../../../../adapter/runtime/http-post.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server | undefined;
let agent: Agent | undefined;

async function serve(handler: Handler): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/in?x=1`;
}

afterEach(async () => {
  await agent?.destroy();
  agent = undefined;
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

const body = Buffer.from('{"hello":"world"}');

describe('post', () => {
  it('sends the headers and body to the path and query, and answers a 2xx with its status and no body', async () => {
    const seen: { url?: string; type?: string; body?: string } = {};
    const url = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        Object.assign(seen, { url: req.url, type: req.headers['ce-type'], body: Buffer.concat(chunks).toString() });
        res.writeHead(202).end('ignored');
      });
    });
    agent = new Agent();
    const answer = await post(agent, url, { 'ce-type': 't' }, body);
    expect(answer).toEqual({ status: 202, body: Buffer.alloc(0) });
    expect(seen).toEqual({ url: '/in?x=1', type: 't', body: '{"hello":"world"}' });
  });

  it('keeps a refusal’s Retry-After and the first bytes of its body only', async () => {
    const url = await serve((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(503, { 'retry-after': '7' }).end('x'.repeat(100_000)));
    });
    agent = new Agent();
    const answer = await post(agent, url, {}, body, undefined, 10);
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toBe('7');
    expect(answer.body.toString()).toBe('x'.repeat(10));
  });

  it('rejects at once when aborted while the request still waits for a connection, and never sends it', async () => {
    let received = 0;
    const held: ServerResponse[] = [];
    const url = await serve((req, res) => {
      received++;
      req.resume();
      held.push(res); // never answered: the one connection stays busy
    });
    agent = new Agent({ connections: 1 });
    const first = post(agent, url, {}, body);
    first.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    const signal = new AttemptSignal();
    const second = post(agent, url, {}, body, signal);
    signal.abort('deadline');
    await expect(second).rejects.toBeInstanceOf(PostAbortedError);
    for (const res of held) res.writeHead(200).end();
    await first;
    await new Promise((r) => setTimeout(r, 50));
    expect(received).toBe(1);
  });

  it('rejects an already aborted signal without dispatching', async () => {
    let received = 0;
    const url = await serve((req, res) => {
      received++;
      req.resume();
      res.end();
    });
    agent = new Agent();
    const signal = new AttemptSignal();
    signal.abort();
    await expect(post(agent, url, {}, body, signal)).rejects.toBeInstanceOf(PostAbortedError);
    expect(received).toBe(0);
  });

  it('rejects with the connection error of a port nobody listens on', async () => {
    const url = await serve((_req, res) => res.end());
    server?.close();
    agent = new Agent();
    await expect(post(agent, url, {}, body)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
