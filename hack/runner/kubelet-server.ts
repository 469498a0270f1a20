/**
 * The one kubelet endpoint worth having locally: container logs, so `kubectl logs [-f]` works (the
 * apiserver proxies it to the Node's daemon endpoint over HTTPS). It serves the files the runner
 * writes per container. Local-only trust: the apiserver here has no kubelet client certificate, so
 * the server asks for none and binds to 127.0.0.1; exec, attach and port-forward are not offered.
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { generateWebhookCertificates } from '../../controller/webhook/certs.js';
import type { Logger } from '../../lib/log.js';

/** The newest log file of a Pod's container (a re-created Pod of the same name has a new uid folder). */
export function findLogFile(logDir: string, namespace: string, pod: string, container: string): string | undefined {
  let dirs: string[];
  try {
    dirs = readdirSync(logDir).filter((d) => d.startsWith(`${namespace}_${pod}_`));
  } catch {
    return undefined;
  }
  const files = dirs.map((d) => join(logDir, d, `${container}.log`)).filter((f) => existsSync(f));
  return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

/** The last `n` lines of `text`. Pure. */
export function tailLines(text: string, n: number): string {
  const lines = text.split('\n');
  const trailing = lines.at(-1) === '' ? lines.pop() : undefined;
  return lines.slice(Math.max(0, lines.length - n)).join('\n') + (trailing === '' ? '\n' : '');
}

async function readAll(path: string, start: number): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of createReadStream(path, { start })) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface KubeletServer {
  port: number;
  close(): Promise<void>;
}

export async function startKubeletServer(logDir: string, log: Logger): Promise<KubeletServer> {
  const certs = await generateWebhookCertificates({ hosts: ['127.0.0.1', 'localhost'] });
  const followers = new Set<NodeJS.Timeout>();
  const server: Server = createServer({ cert: certs.certPem, key: certs.keyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    if (url.pathname === '/healthz') {
      res.writeHead(200).end('ok');
      return;
    }
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('the local node runner serves only /containerLogs\n');
      return;
    }
    const [ns, pod, container] = [m[1], m[2], m[3]].map((p) => decodeURIComponent(p as string)) as [string, string, string];
    const file = findLogFile(logDir, ns, pod, container);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no logs for container ${container} of pod ${ns}/${pod} on this node\n`);
      return;
    }
    const tail = url.searchParams.get('tailLines');
    const follow = url.searchParams.get('follow') === 'true';
    void readAll(file, 0).then(
      (text) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(tail !== null ? tailLines(text, Number(tail)) : text);
        if (!follow) {
          res.end();
          return;
        }
        // Follow by polling the size: simple, and the files only ever grow.
        let offset = Buffer.byteLength(text);
        let busy = false;
        const timer = setInterval(() => {
          if (busy) return;
          busy = true;
          const size = existsSync(file) ? statSync(file).size : offset;
          if (size <= offset) {
            busy = false;
            return;
          }
          void readAll(file, offset)
            .then((more) => {
              offset += Buffer.byteLength(more);
              res.write(more);
            })
            .finally(() => {
              busy = false;
            });
        }, 250);
        followers.add(timer);
        res.on('close', () => {
          clearInterval(timer);
          followers.delete(timer);
        });
      },
      (err: unknown) => {
        log.warn('log read failed', { file, err });
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const t of followers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
