/**
 * The README's first command, as a test: `hack/demo.sh --once` brings up (or reuses) the environment, builds,
 * runs the controller and the node runner, applies the samples and exits 0 once every path (cron, kafka,
 * redisstream, sinkbinding, trigger) delivered an event to event-display; on the way out it removed what
 * it applied and stopped what it started (processes, namespaces, the webhook registration).
 */
import { spawn } from 'node:child_process';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { KubeClient } from '../../../lib/kube/client.js';
import { NotFoundError } from '../../../lib/kube/errors.js';
import { testEnv } from '../../support/env.js';

interface Run {
  code: number | null;
  output: string;
}

function runDemo(timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['hack/demo.sh', '--once', '--timeout', '240'], {
      cwd: testEnv.repoRoot,
      env: {
        ...process.env,
        KUBECONFIG: testEnv.kubeconfig(),
        HEADWATER_KUBE_BIN: testEnv.kubeBin(),
        HEADWATER_KAFKA_BROKERS: testEnv.kafkaBrokers().join(','),
        HEADWATER_REDIS_URL: testEnv.redisUrl(),
        HEADWATER_NATS_URL: testEnv.natsUrl(),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString('utf8');
    });
    // A hung demo is stopped the way Ctrl-C stops it, so it still cleans up; the test then fails on the exit code.
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('hack/demo.sh --once', () => {
  it('exits 0 after every path delivered, and leaves nothing of its own running', async () => {
    const run = await runDemo(360_000);
    expect(run.code, run.output.slice(-4000)).toBe(0);

    const delivered = /every path delivered: (.*)/.exec(run.output)?.[1] ?? '';
    for (const path of ['cron', 'kafka', 'redisstream', 'sinkbinding', 'trigger']) expect(delivered).toMatch(new RegExp(`\\b${path} [1-9]\\d*`));
    // The last READY/SINK table, printed before that line, shows every object Ready with its sink or bus.
    const before = run.output.slice(0, run.output.indexOf('every path delivered'));
    const table = before.slice(before.lastIndexOf('NAMESPACE')).split('\n');
    expect(table[0]).toMatch(/^NAMESPACE\s+KIND\s+NAME\s+READY\s+REASON\s+SINK/);
    const rows = table.slice(1).filter((l) => /^(headwater-demo(-bus)?|-)\s/.test(l));
    const byKind = (kind: string): string[] => rows.filter((r) => r.split(/\s+/)[1] === kind);
    for (const kind of ['CronSource', 'KafkaSource', 'RedisStreamSource', 'SinkBinding', 'EventBus', 'ClusterEventBus', 'Trigger']) {
      expect(byKind(kind).length, `${kind} in the table`).toBeGreaterThan(0);
    }
    for (const row of rows) expect(row.split(/\s+/)[3], row).toBe('True');
    for (const kind of ['KafkaSource', 'RedisStreamSource', 'SinkBinding']) {
      expect(byKind(kind).find((r) => r.startsWith('headwater-demo ')), kind).toContain('http://event-display.headwater-demo.svc.cluster.local');
    }

    // What it started is gone: the controller and runner processes, its namespaces, its webhook registration.
    const started = /controller pid (\d+) .*webhook (https:\/\/\S+)\), runner pid (\d+)/.exec(run.output);
    expect(started, 'the demo names the processes it started').not.toBeNull();
    const [, controllerPid, webhookUrl, runnerPid] = started as RegExpExecArray;
    expect(alive(Number(controllerPid)), 'controller stopped').toBe(false);
    expect(alive(Number(runnerPid)), 'runner stopped').toBe(false);

    const kc = new KubeConfig();
    kc.loadFromFile(testEnv.kubeconfig());
    const client = new KubeClient(kc);
    for (const ns of ['headwater-demo', 'headwater-demo-bus']) {
      const gone = await client.json({ method: 'GET', path: `/api/v1/namespaces/${ns}` }).then(
        () => false,
        (err: unknown) => err instanceof NotFoundError,
      );
      expect(gone, `namespace ${ns} deleted`).toBe(true);
    }
    const registration = await client
      .json<{ webhooks?: { clientConfig?: { url?: string } }[] }>({
        method: 'GET',
        path: '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/headwater-validation',
      })
      .catch((err: unknown) => {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      });
    expect(registration?.webhooks?.[0]?.clientConfig?.url, 'no registration left pointing at the stopped webhook').not.toBe(webhookUrl);
  }, 420_000);
});
