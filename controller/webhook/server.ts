/**
 * The HTTPS edge of the admission webhook: reads an AdmissionReview, answers with `review()`'s decision.
 * TLS material is made at start and, when a target is known, put into the ValidatingWebhookConfiguration.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { HeadwaterError } from '../../lib/errors.js';
import { KubeClient } from '../../lib/kube/client.js';
import { loadKubeConfig } from '../../lib/kube/kubeconfig.js';
import { createLogger, type Logger } from '../../lib/log.js';
import { admissionResponse, BadAdmissionReview, parseAdmissionReview, review } from './admission-review.js';
import { generateWebhookCertificates, type WebhookCertificates } from './certs.js';
import {
  type ValidatingWebhookConfiguration,
  WEBHOOK_CONFIGURATION_NAME,
  WEBHOOK_PATH,
  type WebhookTarget,
  webhookConfiguration,
} from './configuration.js';
import { applyWebhookConfiguration, type JsonClient } from './register.js';
import { webhookSettingsFromEnv } from './settings.js';

/** The apiserver caps request bodies at 3 MiB; an AdmissionReview carries the object (and the old one). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export class WebhookStartError extends HeadwaterError {}

export interface StartWebhookOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  log?: Logger;
  /** Names on the serving certificate; from the environment when unset. */
  hosts?: string[];
  /** Bring-your-own TLS material; generated when unset. */
  certificates?: WebhookCertificates;
  /**
   * Register with the apiserver: a target and a client, `false` for never, unset for what the environment
   * says (see settings.ts). A URL target may contain `{port}`, replaced by the port actually bound.
   */
  register?: { target: WebhookTarget; client?: JsonClient; name?: string } | false;
}

export interface RunningWebhook {
  port: number;
  caPem: string;
  configuration: ValidatingWebhookConfiguration | undefined;
  close(): Promise<void>;
}

function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BadAdmissionReview(`request body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startWebhook(opts: StartWebhookOptions): Promise<RunningWebhook> {
  const log = opts.log ?? createLogger({ component: 'webhook' });
  const fromEnv = opts.hosts && opts.register !== undefined ? undefined : webhookSettingsFromEnv();
  const hosts = opts.hosts ?? fromEnv?.hosts ?? ['localhost', '127.0.0.1'];
  const certs = opts.certificates ?? (await generateWebhookCertificates({ hosts }));

  const server = https.createServer({ key: certs.keyPem, cert: certs.certPem }, (req, res) => {
    const send = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    const url = new URL(req.url ?? '/', 'https://webhook');
    if (req.method === 'GET' && url.pathname === '/healthz') {
      send(200, { ok: true });
      return;
    }
    if (req.method !== 'POST' || url.pathname !== WEBHOOK_PATH) {
      send(404, { error: `POST ${WEBHOOK_PATH} with an AdmissionReview` });
      return;
    }
    readBody(req)
      .then((text) => {
        const request = parseAdmissionReview(JSON.parse(text));
        const response = review(request);
        if (!response.allowed) {
          log.info('denied', { kind: request.kind.kind, namespace: request.namespace, name: request.name, message: response.status?.message });
        }
        send(200, admissionResponse(response));
      })
      .catch((err: unknown) => {
        // Malformed input is the caller's fault (400); anything else is ours (500), and the apiserver fails closed.
        const bad = err instanceof BadAdmissionReview || err instanceof SyntaxError;
        log.warn('bad admission request', { err });
        send(bad ? 400 : 500, { error: (err as Error).message });
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new WebhookStartError('ListenFailed', `webhook cannot listen on port ${opts.port}: ${err.message}`, { port: opts.port }, { cause: err })));
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  let configuration: ValidatingWebhookConfiguration | undefined;
  const register = opts.register === undefined ? (fromEnv?.target ? { target: fromEnv.target } : false) : opts.register;
  if (register) {
    const target: WebhookTarget = 'url' in register.target ? { url: register.target.url.replace('{port}', String(port)) } : register.target;
    configuration = webhookConfiguration(target, certs.caPem, register.name ?? WEBHOOK_CONFIGURATION_NAME);
    const client = register.client ?? new KubeClient(loadKubeConfig());
    try {
      await applyWebhookConfiguration(client, configuration);
    } catch (err) {
      server.close();
      throw new WebhookStartError('RegisterFailed', `cannot register the ValidatingWebhookConfiguration ${configuration.metadata.name}: ${(err as Error).message}`, { name: configuration.metadata.name }, { cause: err });
    }
    log.info('webhook registered', { name: configuration.metadata.name, target });
  } else {
    log.warn('webhook serving without registering itself: set WEBHOOK_URL (outside a cluster) or run in a pod', { port });
  }

  return {
    port,
    caPem: certs.caPem,
    configuration,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
