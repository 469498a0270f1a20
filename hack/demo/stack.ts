/**
 * The parts of an installation the demo runs itself, as processes of the checkout's build (dist/): the
 * node runner (a "process kubelet" that runs the Pods of the demo's namespaces) and the controller with
 * its validating webhook registered by URL (the local apiserver runs outside any cluster network).
 * config/'s namespace and cron-adapter ServiceAccount are applied as a real install applies them; the
 * controller's own Deployment is not, because here the controller is this process' child.
 */
import { join } from 'node:path';
import type { KubeClient } from '../../lib/kube/client.js';
import { NotFoundError } from '../../lib/kube/errors.js';
import { freePort } from '../../lib/net/free-port.js';
import type { DemoEnv } from './env.js';
import type { Kubectl } from './kubectl.js';
import { readManifest, repoRoot } from './manifests.js';
import type { DemoLayout } from './plan.js';
import { type Started, startProcess } from './processes.js';

export interface Stack {
  controller: Started;
  runner: Started;
  /** Why the stack is broken (a process it started exited), else undefined. */
  failure(): string | undefined;
  stop(log: (line: string) => void): Promise<void>;
}

const WEBHOOK_CONFIGURATION = 'headwater-validation';

async function until(what: string, timeoutMs: number, died: () => string | undefined, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = died();
    if (dead) throw new Error(`${what}: ${dead}`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000}s`);
}

interface WebhookConfiguration {
  webhooks?: { clientConfig?: { url?: string } }[];
}

async function registeredUrl(client: KubeClient): Promise<string | undefined> {
  try {
    const cfg = await client.json<WebhookConfiguration>({ method: 'GET', path: `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${WEBHOOK_CONFIGURATION}` });
    return cfg.webhooks?.[0]?.clientConfig?.url;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

export async function startStack(o: { env: DemoEnv; layout: DemoLayout; kubectl: Kubectl; client: KubeClient; log: (line: string) => void }): Promise<Stack> {
  const { env, layout, kubectl, client } = o;
  await kubectl.apply([...readManifest('config/namespace.yaml'), ...readManifest('config/rbac/cron-adapter.yaml')]);

  const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', KUBECONFIG: env.kubeconfig };
  const runner = startProcess(
    'runner',
    process.execPath,
    [
      'dist/hack/runner/main.js',
      '--node-name',
      env.nodeName,
      // Addresses of our own: the default 127.42/16 may be another runner's on this machine, and tests pick from 127.64-249.
      '--pod-cidr',
      '127.60.0.0/16',
      '--service-cidr',
      '127.61.0.0/16',
      // Only the demo's namespaces: other runs on a shared apiserver keep their Pods.
      ...[layout.namespace, layout.busNamespace, layout.systemNamespace].flatMap((ns) => ['--namespace', ns]),
    ],
    { cwd: repoRoot, env: baseEnv, logFile: join(env.logDir, 'runner.log') },
  );

  const metricsPort = await freePort();
  const webhookPort = await freePort();
  const webhookUrl = `https://127.0.0.1:${webhookPort}/validate`;
  const controller = startProcess('controller', process.execPath, ['dist/controller/main.js'], {
    cwd: repoRoot,
    logFile: join(env.logDir, 'controller.log'),
    env: {
      ...baseEnv,
      HEADWATER_ADAPTER_IMAGE: env.adapterImage,
      SYSTEM_NAMESPACE: layout.systemNamespace,
      METRICS_PORT: String(metricsPort),
      WEBHOOK_PORT: String(webhookPort),
      WEBHOOK_URL: webhookUrl,
      // One replica that always leads: no wait for a Lease a previous, killed demo may still hold.
      LEADER_ELECTION: 'false',
      LOG_LEVEL: 'info',
    },
  });

  let exitedEarly: string | undefined;
  let stopping = false;
  for (const p of [runner, controller]) {
    void p.exited.then((code) => {
      if (!stopping) exitedEarly ??= `${p.name} exited (${code}); see ${p.logFile}`;
    });
  }

  const stop = async (log: (line: string) => void): Promise<void> => {
    stopping = true;
    await controller.stop();
    // The registration fails closed: one pointing at a controller that is gone would refuse every create of our kinds.
    if ((await registeredUrl(client).catch(() => undefined)) === webhookUrl) {
      await kubectl.run(['delete', 'validatingwebhookconfiguration', WEBHOOK_CONFIGURATION, '--ignore-not-found']).catch(() => undefined);
      log(`  removed the webhook registration ${WEBHOOK_CONFIGURATION}`);
    }
    // The shared cron adapter outlives its CronSources by design; the demo's runner is about to go, so remove it too.
    await kubectl
      .run(['delete', 'deployment', 'headwater-cron-adapter', '-n', layout.systemNamespace, '--ignore-not-found', '--timeout=60s'])
      .catch(() => undefined);
    await kubectl.run(['wait', '--for=delete', 'pod', '-l', 'sources.headwater.dev/source=headwater-cron-adapter', '-n', layout.systemNamespace, '--timeout=60s']).catch(() => undefined);
    await runner.stop();
    await kubectl.run(['delete', 'node', env.nodeName, '--ignore-not-found']).catch(() => undefined);
    log('  stopped the controller and the node runner');
  };

  try {
    await until('the controller to be ready', 60_000, () => exitedEarly, async () => (await fetch(`http://127.0.0.1:${metricsPort}/readyz`)).ok);
    await until('the webhook to be registered', 30_000, () => exitedEarly, async () => (await registeredUrl(client)) === webhookUrl);
    await until('the node to be registered', 30_000, () => exitedEarly, async () => {
      await client.json({ method: 'GET', path: `/api/v1/nodes/${env.nodeName}` });
      return true;
    });
  } catch (err) {
    await stop(o.log);
    throw err;
  }
  o.log(`  controller pid ${controller.child.pid} (metrics :${metricsPort}, webhook ${webhookUrl}), runner pid ${runner.child.pid} (node ${env.nodeName})`);
  return { controller, runner, stop, failure: () => exitedEarly };
}
