/** config/webhook/ must agree with the code that registers the webhook. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { WEBHOOK_CONFIGURATION_NAME } from '../../../controller/webhook/configuration.js';
import { webhookSettingsFromEnv } from '../../../controller/webhook/settings.js';

const dir = fileURLToPath(new URL('../../../config/webhook/', import.meta.url));
const read = (f: string) => readFileSync(`${dir}${f}`, 'utf8');

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

describe('config/webhook', () => {
  const component = parse(read('kustomization.yaml')) as { kind: string; resources: string[]; patches: { path: string }[] };
  const service = parse(read('service.yaml')) as { metadata: { name: string; namespace: string }; spec: { ports: { port: number; targetPort: string }[] } };
  const patch = parse(read('deployment-patch.yaml')) as {
    spec: { template: { spec: { containers: { env: { name: string; value: string }[]; ports: { name: string; containerPort: number }[] }[] } } };
  };
  const container = patch.spec.template.spec.containers[0]!;
  const env = Object.fromEntries(container.env.map((e) => [e.name, e.value]));

  it('is a Component listing its files, and config/ uses it', () => {
    expect(component.kind).toBe('Component');
    expect(component.resources.sort()).toEqual(['rbac.yaml', 'service.yaml']);
    expect(component.patches.map((p) => p.path)).toEqual(['deployment-patch.yaml']);
    const root = parse(readFileSync(fileURLToPath(new URL('../../../config/kustomization.yaml', import.meta.url)), 'utf8')) as {
      components?: string[];
    };
    expect(root.components).toContain('webhook');
  });

  it('points the Service at the port the controller serves the webhook on', () => {
    const port = container.ports.find((p) => p.name === service.spec.ports[0]?.targetPort);
    expect(port?.containerPort).toBe(Number(env.WEBHOOK_PORT));
    expect(service.spec.ports[0]?.port).toBe(443);
  });

  it('registers the same Service the manifests create', () => {
    const settings = webhookSettingsFromEnv({ ...env, KUBERNETES_SERVICE_HOST: '10.0.0.1', SYSTEM_NAMESPACE: service.metadata.namespace });
    expect(settings.target).toEqual({ service: { namespace: service.metadata.namespace, name: service.metadata.name, port: 443 } });
    expect(settings.hosts).toContain(`${service.metadata.name}.${service.metadata.namespace}.svc`);
  });

  it('lets the controller update only the configuration it registers, and read no Secrets', () => {
    const docs = parseAllDocuments(read('rbac.yaml')).map((d) => d.toJS() as { kind: string; rules?: Rule[] });
    const rules = docs.flatMap((d) => d.rules ?? []);
    const update = rules.find((r) => r.verbs.includes('update'));
    expect(update?.resourceNames).toEqual([WEBHOOK_CONFIGURATION_NAME]);
    for (const r of rules) {
      expect(r.resources).toEqual(['validatingwebhookconfigurations']);
      expect(r.verbs).not.toContain('*');
    }
  });
});
