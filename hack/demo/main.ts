/**
 * The demo (`npm run demo` → hack/demo.sh → `node dist/hack/demo/main.js [--once] [--timeout S]`): with the
 * local environment up and the CRDs installed, it starts the node runner and the controller as processes,
 * applies the samples, feeds Kafka and Redis, and prints the sources' READY/SINK table and every event
 * event-display receives, with a progress line per path, until Ctrl-C. Then it deletes what it applied and
 * stops what it started. `--once` exits 0 as soon as every path delivered an event, 1 after the timeout
 * naming the paths that delivered nothing.
 */
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../../lib/kube/client.js';
import { readEnv } from './env.js';
import { EventFeed } from './event-feed.js';
import { type RunningGenerator, startGenerator } from './generator.js';
import { kubectlFor } from './kubectl.js';
import { classify, demoPaths } from './paths.js';
import { demoPlan } from './plan.js';
import { emptyCounts, eventLine, Printer, progressLine } from './printer.js';
import { type Stack, startStack } from './stack.js';
import { type Row, readRows, renderTable } from './status-table.js';

const { values } = parseArgs({
  options: {
    once: { type: 'boolean', default: false },
    timeout: { type: 'string', default: '300' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write('usage: hack/demo.sh [--once] [--timeout SECONDS]   (Ctrl-C stops the demo and everything it started)\n');
  process.exit(0);
}
const timeoutS = Number(values.timeout);
if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
  process.stderr.write(`--timeout ${values.timeout}: give a number of seconds\n`);
  process.exit(2);
}

const env = readEnv();
const layout = { namespace: env.namespace, busNamespace: `${env.namespace}-bus`, systemNamespace: 'headwater-system' };
const kubectl = kubectlFor(env.kubeBin, env.kubeconfig);
const kc = new KubeConfig();
kc.loadFromFile(env.kubeconfig);
const client = new KubeClient(kc);
const printer = new Printer(process.stdout.isTTY === true && !values.once);
const say = (text: string): void => printer.line(`\x1b[1m==> ${text}\x1b[0m`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let stack: Stack | undefined;
/** While the controller and runner are starting: a Ctrl-C then must still stop them once they are up. */
let starting: Promise<Stack> | undefined;
let generator: RunningGenerator | undefined;
let stopping: Promise<void> | undefined;

/** Deletes what the demo applied while the controller and runner still run (finalizers, Pod deletion), then stops them. */
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    printer.finish();
    say('stopping: generator, demo namespaces, controller, runner');
    await generator?.stop().catch(() => undefined);
    await kubectl
      .run(['delete', 'namespace', layout.namespace, layout.busNamespace, '--ignore-not-found', '--timeout=90s'])
      .catch((err: unknown) => printer.line(`  (namespaces not gone yet: ${(err as Error).message})`));
    await kubectl.run(['delete', 'clustereventbus', 'shared', '--ignore-not-found', '--timeout=30s']).catch(() => undefined);
    await kubectl.run(['delete', 'secret', 'bus-redis-auth', '-n', layout.systemNamespace, '--ignore-not-found']).catch(() => undefined);
    const s = stack ?? (await starting?.catch(() => undefined));
    await s?.stop((line) => printer.line(line));
  })();
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      process.stderr.write('\nsecond signal: leaving the rest running (hack/env.sh down, kubectl delete namespace …)\n');
      process.exit(130);
    }
    void stopAll().then(() => process.exit(130));
  });
}

async function waitForEventDisplay(feed: EventFeed, deadline: number): Promise<void> {
  let last = '';
  while (Date.now() < deadline) {
    const broken = stack?.failure();
    if (broken) throw new Error(broken);
    try {
      await feed.poll();
      return;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(1000);
  }
  throw new Error(`event-display did not answer at ${env.eventsUrl(layout.namespace)}: ${last}`);
}

async function main(): Promise<number> {
  const started = Date.now();
  const deadline = started + timeoutS * 1000;
  say(`node runner and controller (logs in ${env.logDir})`);
  starting = startStack({ env, layout, kubectl, client, log: (l) => printer.line(l) });
  stack = await starting;
  if (stopping) return 130;

  for (const step of demoPlan(layout, env.brokers)) {
    say(`apply ${step.what}`);
    const out = await kubectl.apply(step.objects);
    for (const l of out.trim().split('\n')) printer.line(`  ${l}`);
  }

  const produced = { kafka: 0, redis: 0 };
  say(`generator: a Kafka record (topics orders/refunds) and a Redis entry (stream clicks) every second`);
  generator = await startGenerator({
    kafkaBrokers: env.brokers.kafkaBrokers,
    topics: ['orders', 'refunds'],
    redisUrl: env.brokers.redisUrl,
    stream: 'clicks',
    onProduced: (what) => {
      produced[what] += 1;
    },
    onError: (err) => printer.line(`  generator: ${(err as Error).message}`),
  });

  const feed = new EventFeed(env.eventsUrl(layout.namespace));
  say(`events at event-display (${env.eventsUrl(layout.namespace)})`);
  await waitForEventDisplay(feed, deadline);

  const counts = emptyCounts();
  let table = '';
  let rows: Row[] = [];
  let nextTableAt = 0;
  while (!stopping) {
    const broken = stack.failure();
    if (broken) throw new Error(broken);
    if (Date.now() >= nextTableAt) {
      nextTableAt = Date.now() + 3000;
      rows = await readRows(client, [layout.namespace, layout.busNamespace], ['shared']).catch(() => rows);
      const rendered = renderTable(rows);
      if (rendered !== table) {
        table = rendered;
        printer.line('');
        printer.line(rendered);
        printer.line('');
      }
    }
    const fresh = await feed.poll().catch(() => []);
    for (const e of fresh) {
      const path = classify(e.attributes, layout);
      if (path) counts[path] += 1;
      printer.line(eventLine(e, path));
    }
    const elapsed = Math.round((Date.now() - started) / 1000);
    printer.setProgress(progressLine(counts, produced, elapsed), JSON.stringify(counts));
    const missing = demoPaths.filter((p) => counts[p] === 0);
    if (values.once && missing.length === 0) {
      printer.finish();
      printer.line(progressLine(counts, produced, elapsed));
      // Events can flow before the controller has seen the Deployments turn Available; give the statuses a
      // moment to catch up so the last table shows what a user would see, but exit on deliveries alone.
      const settled = Date.now() + 30_000;
      let last = rows;
      while (Date.now() < settled) {
        last = await readRows(client, [layout.namespace, layout.busNamespace], ['shared']).catch(() => last);
        if (last.length > 0 && last.every((r) => r.ready === 'True')) break;
        await sleep(1000);
      }
      printer.line(renderTable(last));
      say(`every path delivered: ${demoPaths.map((p) => `${p} ${counts[p]}`).join(', ')}`);
      return 0;
    }
    if (values.once && Date.now() >= deadline) {
      printer.finish();
      printer.line(renderTable(rows));
      printer.line(`demo --once: after ${timeoutS}s no event arrived through: ${missing.join(', ')}`);
      printer.line(`  (logs: ${env.logDir}; the adapters' logs: .headwater/runner/${env.nodeName}/pods/)`);
      return 1;
    }
    await sleep(1000);
  }
  return 130;
}

main()
  .catch((err: unknown) => {
    printer.finish();
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  })
  .then(async (code) => {
    if (code === 130) return; // the signal handler stops and exits
    await stopAll();
    process.exit(code);
  });
