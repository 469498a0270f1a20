import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AdmissionReview,
  applyWebhookConfiguration,
  generateWebhookCertificates,
  type JsonClient,
  mergeCaBundle,
  parseAdmissionReview,
  type RunningWebhook,
  review,
  startWebhook,
  type ValidatingWebhookConfiguration,
  webhookConfiguration,
  webhookSettingsFromEnv,
} from '../../../controller/webhook/index.js';
import { ConflictError, NotFoundError } from '../../../lib/kube/errors.js';
import { createLogger } from '../../../lib/log.js';

const quiet = createLogger({}, { write: () => {} });

function cronReview(spec: Record<string, unknown>, operation = 'CREATE'): unknown {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u-1',
      kind: { group: 'sources.headwater.dev', version: 'v1alpha1', kind: 'CronSource' },
      operation,
      namespace: 'default',
      name: 'tick',
      object: {
        apiVersion: 'sources.headwater.dev/v1alpha1',
        kind: 'CronSource',
        metadata: { name: 'tick', namespace: 'default' },
        spec: { sink: { uri: 'http://sink.default.svc' }, ...spec },
      },
    },
  };
}

describe('admission review (pure)', () => {
  it('allows a valid object', () => {
    expect(review(parseAdmissionReview(cronReview({ schedule: '*/5 * * * *' })))).toEqual({ uid: 'u-1', allowed: true });
  });

  it('denies a bad schedule with the field path and what is allowed', () => {
    const res = review(parseAdmissionReview(cronReview({ schedule: '99 * * * *' })));
    expect(res.allowed).toBe(false);
    expect(res.status?.code).toBe(422);
    expect(res.status?.message).toMatch(/^CronSource tick is invalid: spec\.schedule: "99 \* \* \* \*" is not a valid cron schedule .*; allowed: /);
  });

  it('lets a metadata-only update through even when the spec would now be refused', () => {
    const r = parseAdmissionReview(cronReview({ schedule: 'nonsense' }, 'UPDATE'));
    const withFinalizerRemoved = { ...(r.object as object), metadata: { name: 'tick', namespace: 'default', finalizers: [] } };
    expect(review({ ...r, oldObject: r.object, object: withFinalizerRemoved }).allowed).toBe(true);
    const specChanged = { ...(r.object as { spec: object }), spec: { schedule: 'still nonsense', sink: { uri: 'http://x.default.svc' } } };
    expect(review({ ...r, oldObject: r.object, object: specChanged }).allowed).toBe(false);
  });

  it('never blocks a delete', () => {
    expect(review(parseAdmissionReview(cronReview({ schedule: 'nonsense' }, 'DELETE'))).allowed).toBe(true);
  });

  it('lets foreign kinds through with a warning instead of blocking them', () => {
    const r = parseAdmissionReview(cronReview({ schedule: 'x' }));
    const res = review({ ...r, kind: { group: 'apps', version: 'v1', kind: 'Deployment' } });
    expect(res.allowed).toBe(true);
    expect(res.warnings?.[0]).toContain('apps/Deployment');
  });

  it('rejects an envelope that is not an AdmissionReview', () => {
    expect(() => parseAdmissionReview({ kind: 'Pod' })).toThrow(/admission.k8s.io\/v1 AdmissionReview/);
    expect(() => parseAdmissionReview({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} })).toThrow(
      /uid, kind and operation/,
    );
  });
});

describe('webhook configuration', () => {
  it('covers every kind of both groups for CREATE and UPDATE, fails closed, carries the CA', () => {
    const cfg = webhookConfiguration({ url: 'https://127.0.0.1:9443/validate' }, 'PEM');
    const hook = cfg.webhooks[0]!;
    expect(hook.clientConfig).toEqual({ url: 'https://127.0.0.1:9443/validate', caBundle: Buffer.from('PEM').toString('base64') });
    expect(hook.failurePolicy).toBe('Fail');
    expect(hook.rules.flatMap((r) => r.resources).sort()).toEqual(
      ['clustereventbuses', 'cronsources', 'eventbuses', 'kafkasources', 'redisstreamsources', 'sinkbindings', 'triggers'],
    );
    expect(hook.rules.every((r) => r.operations.join() === 'CREATE,UPDATE')).toBe(true);
  });

  it('targets the Service in a cluster', () => {
    const cfg = webhookConfiguration({ service: { namespace: 'headwater-system', name: 'headwater-webhook' } }, 'PEM');
    expect(cfg.webhooks[0]!.clientConfig.service).toEqual({
      namespace: 'headwater-system',
      name: 'headwater-webhook',
      path: '/validate',
      port: 443,
    });
  });
});

describe('webhook settings from the environment', () => {
  it('registers by URL when WEBHOOK_URL is set, by Service in a pod, not at all otherwise', () => {
    expect(webhookSettingsFromEnv({ WEBHOOK_URL: 'https://127.0.0.1:8443/validate' }).target).toEqual({
      url: 'https://127.0.0.1:8443/validate',
    });
    expect(webhookSettingsFromEnv({ KUBERNETES_SERVICE_HOST: '10.0.0.1', SYSTEM_NAMESPACE: 'hw' }).target).toEqual({
      service: { namespace: 'hw', name: 'headwater-webhook', port: 443 },
    });
    expect(webhookSettingsFromEnv({}).target).toBeUndefined();
    expect(webhookSettingsFromEnv({ KUBERNETES_SERVICE_HOST: 'x', WEBHOOK_REGISTER: 'false' }).target).toBeUndefined();
  });

  it('names the variable and the fix on bad input', () => {
    expect(() => webhookSettingsFromEnv({ WEBHOOK_URL: 'http://127.0.0.1/validate' })).toThrow(/WEBHOOK_URL: .*https/);
    expect(() => webhookSettingsFromEnv({ WEBHOOK_REGISTER: 'yes' })).toThrow(/WEBHOOK_REGISTER: "yes" is not a boolean/);
  });
});

describe('certificates', () => {
  it('makes a CA and a serving certificate for the given names and IPs, signed by that CA', async () => {
    const certs = await generateWebhookCertificates({ hosts: ['headwater-webhook.headwater-system.svc', '127.0.0.1'] });
    const ca = new X509Certificate(certs.caPem);
    const leaf = new X509Certificate(certs.certPem);
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIssued(ca)).toBe(true);
    expect(leaf.checkHost('headwater-webhook.headwater-system.svc')).toBe('headwater-webhook.headwater-system.svc');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkHost('evil.example.com')).toBeUndefined();
    expect(certs.keyPem).toContain('BEGIN PRIVATE KEY');
  });
});

describe('the HTTPS server (loopback)', () => {
  let hook: RunningWebhook;

  beforeAll(async () => {
    hook = await startWebhook({ port: 0, host: '127.0.0.1', hosts: ['127.0.0.1'], register: false, log: quiet });
  });
  afterAll(async () => {
    await hook.close();
  });

  function post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    return new Promise((resolve, reject) => {
      const payload = typeof body === 'string' ? body : JSON.stringify(body);
      const req = https.request(
        { host: '127.0.0.1', port: hook.port, path, method: 'POST', ca: hook.caPem, headers: { 'Content-Type': 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  it('answers an AdmissionReview over TLS that verifies against its CA', async () => {
    const res = await post('/validate', cronReview({ schedule: 'not a cron' }));
    expect(res.status).toBe(200);
    const out = res.json as AdmissionReview;
    expect(out.kind).toBe('AdmissionReview');
    expect(out.response?.uid).toBe('u-1');
    expect(out.response?.allowed).toBe(false);
    expect(out.response?.status?.message).toContain('spec.schedule');
  });

  it('answers 400 to garbage and 404 elsewhere', async () => {
    expect((await post('/validate', '{nope')).status).toBe(400);
    expect((await post('/validate', { kind: 'Pod' })).status).toBe(400);
    expect((await post('/other', {})).status).toBe(404);
  });
});

describe('CA bundle shared by replicas', () => {
  it('adds a replica CA to the bundle, dedupes, and keeps the newest ones', async () => {
    const a = (await generateWebhookCertificates({ hosts: ['a'] })).caPem;
    const b = (await generateWebhookCertificates({ hosts: ['b'] })).caPem;
    const now = new Date();
    const ab = mergeCaBundle(a, b, now);
    expect(ab).toContain(a.trim());
    expect(ab).toContain(b.trim());
    expect(mergeCaBundle(ab, b, now)).toBe(ab);
    const onlyNew = mergeCaBundle(ab, b, now, 1);
    expect(onlyNew.trim()).toBe(b.trim());
    expect(mergeCaBundle('garbage', a, now).trim()).toBe(a.trim());
  });

  it('drops expired CAs but never the one being added', async () => {
    const old = (await generateWebhookCertificates({ hosts: ['o'], validityDays: 1 })).caPem;
    const fresh = (await generateWebhookCertificates({ hosts: ['f'] })).caPem;
    const later = new Date(Date.now() + 3 * 86_400_000);
    expect(mergeCaBundle(old, fresh, later).trim()).toBe(fresh.trim());
  });
});

describe('applyWebhookConfiguration', () => {
  /** A recording stand-in for the apiserver: one stored object, a Conflict on a stale resourceVersion. */
  function fakeApi(initial?: ValidatingWebhookConfiguration) {
    let stored = initial;
    let rv = 1;
    const calls: string[] = [];
    let conflictsLeft = 0;
    const client: JsonClient = {
      json: async <T>(req: { method: string; path: string; body?: unknown }): Promise<T> => {
        calls.push(req.method);
        if (req.method === 'GET') {
          if (!stored) throw new NotFoundError('NotFound', 'not found', { method: 'GET', path: req.path, status: 404 });
          return structuredClone(stored) as T;
        }
        const body = req.body as ValidatingWebhookConfiguration;
        if (req.method === 'PUT' && conflictsLeft > 0) {
          conflictsLeft--;
          throw new ConflictError('Conflict', 'stale', { method: 'PUT', path: req.path, status: 409 });
        }
        rv++;
        stored = { ...body, metadata: { ...body.metadata, resourceVersion: String(rv) } };
        return structuredClone(stored) as T;
      },
    };
    return { client, calls, stored: () => stored, conflictOnce: () => (conflictsLeft = 1) };
  }

  const bundleOf = (c: ValidatingWebhookConfiguration | undefined) =>
    Buffer.from(c?.webhooks[0]?.clientConfig.caBundle ?? '', 'base64').toString();

  it('creates when missing, then merges a second replica CA into the bundle, retrying on a conflict', async () => {
    const api = fakeApi();
    const a = (await generateWebhookCertificates({ hosts: ['a'] })).caPem;
    const b = (await generateWebhookCertificates({ hosts: ['b'] })).caPem;
    await applyWebhookConfiguration(api.client, webhookConfiguration({ url: 'https://127.0.0.1:1/validate' }, a));
    expect(api.calls).toEqual(['GET', 'POST']);
    api.conflictOnce();
    await applyWebhookConfiguration(api.client, webhookConfiguration({ url: 'https://127.0.0.1:2/validate' }, b));
    expect(api.calls).toEqual(['GET', 'POST', 'GET', 'PUT', 'GET', 'PUT']);
    expect(bundleOf(api.stored())).toContain(a.trim());
    expect(bundleOf(api.stored())).toContain(b.trim());
    expect(api.stored()?.webhooks[0]?.clientConfig.url).toBe('https://127.0.0.1:2/validate');
  });
});
