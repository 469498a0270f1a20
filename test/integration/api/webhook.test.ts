/** The webhook registered with the real apiserver: a bad cron schedule is refused with its field path. */
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyCrds, createNamespace, deleteNamespace, kubectl, kubectlOk, registerTestWebhook, uniqueName } from './kube.js';

const namespace = uniqueName('hw-api-webhook');
let webhook: Awaited<ReturnType<typeof registerTestWebhook>> | undefined;

const cron = (name: string, schedule: string) => ({
  apiVersion: 'sources.headwater.dev/v1alpha1',
  kind: 'CronSource',
  metadata: { name, namespace },
  spec: { schedule, sink: { uri: 'http://event-display.default.svc.cluster.local' } },
});

beforeAll(async () => {
  await applyCrds();
  await createNamespace(namespace);
  webhook = await registerTestWebhook();
});

afterAll(async () => {
  await webhook?.stop();
  await deleteNamespace(namespace);
});

describe('admission webhook on the real apiserver', () => {
  it('is registered with our CA and a 127.0.0.1 URL', async () => {
    const name = webhook!.hook.configuration!.metadata.name;
    const cfg = JSON.parse(await kubectlOk(['get', 'validatingwebhookconfiguration', name, '-o', 'json'])) as {
      webhooks: { clientConfig: { url: string; caBundle: string } }[];
    };
    expect(cfg.webhooks[0]!.clientConfig.url).toBe(`https://127.0.0.1:${webhook!.hook.port}/validate`);
    expect(Buffer.from(cfg.webhooks[0]!.clientConfig.caBundle, 'base64').toString()).toBe(webhook!.hook.caPem);
  });

  it('rejects a bad cron schedule on create, naming spec.schedule', async () => {
    const r = await kubectl(['create', '-f', '-'], stringify(cron('bad', '61 * * * *')));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('admission webhook "validation.headwater.dev" denied the request');
    expect(r.stderr).toContain('spec.schedule: "61 * * * *" is not a valid cron schedule');
    expect(r.stderr).toContain('allowed: 5 fields');
  });

  it('accepts a good schedule, then rejects an update that breaks it', async () => {
    await kubectlOk(['create', '-f', '-'], stringify(cron('good', '*/5 * * * *')));
    const r = await kubectl(['patch', 'cronsource', 'good', '-n', namespace, '--type=merge', '-p', '{"spec":{"schedule":"every day"}}']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.schedule');
    const still = JSON.parse(await kubectlOk(['get', 'cronsource', 'good', '-n', namespace, '-o', 'json'])) as { spec: { schedule: string } };
    expect(still.spec.schedule).toBe('*/5 * * * *');
  });

  it('a second replica adds its CA to the same registration, and the apiserver trusts it', async () => {
    const name = webhook!.hook.configuration!.metadata.name;
    const second = await registerTestWebhook(name);
    try {
      const cfg = JSON.parse(await kubectlOk(['get', 'validatingwebhookconfiguration', name, '-o', 'json'])) as {
        webhooks: { clientConfig: { url: string; caBundle: string } }[];
      };
      const bundle = Buffer.from(cfg.webhooks[0]!.clientConfig.caBundle, 'base64').toString();
      expect(bundle).toContain(webhook!.hook.caPem.trim());
      expect(bundle).toContain(second.hook.caPem.trim());
      // The registration now points at the second replica: a verdict proves its certificate is trusted.
      expect(cfg.webhooks[0]!.clientConfig.url).toBe(`https://127.0.0.1:${second.hook.port}/validate`);
      const r = await kubectl(['create', '-f', '-'], stringify(cron('bad-two', '* * 32 * *')));
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('admission webhook "validation.headwater.dev" denied the request');
      expect(r.stderr).toContain('spec.schedule');
    } finally {
      // Only close the server: the registration (shared name) is removed by the first webhook's stop().
      await second.hook.close();
    }
  });

  it('lets an invalid object be deleted (deletes are never judged)', async () => {
    const r = await kubectl(['delete', 'cronsource', 'good', '-n', namespace]);
    expect(r.code).toBe(0);
  });
});
