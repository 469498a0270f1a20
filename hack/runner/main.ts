/**
 * `node dist/hack/runner/main.js [flags]` (or `node --import tsx hack/runner/main.ts`): the local node
 * runner, a "process kubelet" for a cluster without a container runtime. See docs/local-cluster.md.
 */
import { parseArgs } from 'node:util';
import type { V1Taint } from '@kubernetes/client-node';
import { ConfigError } from '../../lib/errors.js';
import { createLogger } from '../../lib/log.js';
import { defaultRunnerConfig, startRunner } from './runner.js';

const usage = `usage: runner [--kubeconfig PATH] [--node-name NAME] [--pod-cidr 127.42.0.0/16] [--service-cidr 127.43.0.0/16]
              [--from-source] [--hosts-file PATH | --no-hosts] [--state-dir DIR] [--taint key=value:Effect]… [--label k=v]… [--namespace NS]…`;

function parseTaint(text: string): V1Taint {
  const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(text);
  if (!m) throw new ConfigError('--taint', `cannot parse ${JSON.stringify(text)}`, 'Write key=value:NoSchedule (or key:NoExecute).');
  return { key: m[1] as string, ...(m[2] ? { value: m[2] } : {}), effect: m[3] as string };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      'node-name': { type: 'string' },
      'pod-cidr': { type: 'string' },
      'service-cidr': { type: 'string' },
      'from-source': { type: 'boolean', default: false },
      'hosts-file': { type: 'string' },
      'no-hosts': { type: 'boolean', default: false },
      'state-dir': { type: 'string' },
      taint: { type: 'string', multiple: true },
      label: { type: 'string', multiple: true },
      // Bind only these namespaces' Pods, so a runner on a shared cluster never takes another run's Pods.
      namespace: { type: 'string', multiple: true },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const kubeconfig = values.kubeconfig ?? process.env.KUBECONFIG;
  if (!kubeconfig) throw new ConfigError('KUBECONFIG', 'not set', 'Pass --kubeconfig or run `eval "$(bash hack/env.sh env)"` first.');
  const base = defaultRunnerConfig({ kubeconfig, ...(values['node-name'] ? { nodeName: values['node-name'] } : {}) });
  const labels = { ...base.nodeLabels };
  for (const l of values.label ?? []) {
    const [k, ...v] = l.split('=');
    if (!k) throw new ConfigError('--label', `cannot parse ${JSON.stringify(l)}`, 'Write key=value.');
    labels[k] = v.join('=');
  }
  const config = {
    ...base,
    nodeLabels: labels,
    taints: (values.taint ?? []).map(parseTaint),
    ...(values['pod-cidr'] ? { podCIDR: values['pod-cidr'] } : {}),
    ...(values['service-cidr'] ? { serviceCIDR: values['service-cidr'] } : {}),
    ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
    fromSource: values['from-source'],
    ...(values.namespace && values.namespace.length > 0 ? { bindNamespaces: values.namespace } : {}),
    hostsFile: values['no-hosts'] ? undefined : (values['hosts-file'] ?? base.hostsFile),
  };
  const runner = await startRunner(config);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    createLogger({ component: 'runner' }).info('stopping', { signal });
    runner.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        createLogger({ component: 'runner' }).error('stop failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  createLogger({ component: 'runner' }).error('runner failed', { err });
  process.exit(1);
});
