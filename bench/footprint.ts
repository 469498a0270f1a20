/**
 * Footprint: start-up time (spawn → /readyz answers 200) and idle resident memory of an adapter process per role,
 * beside a bare Node process serving one HTTP endpoint (the floor any Node adapter starts from), in the same run.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { testEnv } from '../test/support/env.js';
import { freePort, memoryOf, sleep, spawnAdapter, spawnNode, waitForOk } from './lib/proc.js';
import { startSink } from './lib/sink.js';
import { type Row, withRatio } from './lib/table.js';
import type { BenchContext, Benchmark } from './lib/types.js';

interface Measured {
  startMs: number;
  rssMiB: number;
}

async function measure(ctx: BenchContext, start: (port: number) => ReturnType<typeof spawnNode>): Promise<Measured> {
  const port = await freePort();
  const child = start(port);
  try {
    const startMs = await waitForOk(`http://127.0.0.1:${port}/readyz`, 60_000, child, 5);
    // Idle: no traffic, let start-up garbage be collected by the ordinary course of things.
    await sleep(ctx.quick ? 3_000 : 10_000);
    return { startMs, rssMiB: memoryOf(child.pid).rssMiB };
  } finally {
    await child.stop();
  }
}

/** The floor: Node itself with one http server answering 200, started the same way. */
const bareNode = `import { createServer } from 'node:http';
createServer((_q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');`;

export const footprint: Benchmark = {
  name: 'footprint',
  title: 'Footprint: idle adapter RSS and start-up time to ready, per role, vs bare Node',
  async run(ctx) {
    const sink = await startSink(ctx.distDir);
    // The kafka role needs its topic to exist (no auto-creation on the local broker).
    const idleTopic = `bench-idle-${randomUUID().slice(0, 8)}`;
    const admin = new Kafka({ clientId: 'headwater-bench', brokers: testEnv.kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: idleTopic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
      const bare = await measure(ctx, (port) => spawnNode('--input-type=module', ['-e', bareNode], { PORT: String(port) }));
      const common = (port: number): Record<string, string> => ({
        K_SINK: sink.url,
        NAMESPACE: 'bench',
        PORT: String(port),
        BIND_ADDRESS: '127.0.0.1',
        LOG_LEVEL: 'warn',
      });
      const roles: { role: string; env: (port: number) => Record<string, string>; args?: string[] }[] = [
        { role: 'cron', env: common, args: ['--schedule', '0 0 1 1 *', '--sink', sink.url] },
        {
          role: 'redisstream',
          env: (port) => ({
            ...common(port),
            NAME: 'idle',
            K_SOURCE_CONFIG: JSON.stringify({ address: testEnv.redisUrl(), stream: `bench-idle-${randomUUID().slice(0, 8)}` }),
          }),
        },
        {
          role: 'kafka',
          env: (port) => ({
            ...common(port),
            NAME: 'idle',
            K_SOURCE_CONFIG: JSON.stringify({ bootstrapServers: testEnv.kafkaBrokers(), topics: [idleTopic], consumerGroup: `bench-idle-${randomUUID().slice(0, 8)}` }),
          }),
        },
      ];
      const rows: Row[] = [
        { bench: 'footprint', metric: 'bare Node http server: start-up to ready', value: bare.startMs, unit: 'ms' },
        { bench: 'footprint', metric: 'bare Node http server: idle RSS', value: bare.rssMiB, unit: 'MiB' },
      ];
      for (const r of roles) {
        let m: Measured;
        try {
          m = await measure(ctx, (port) => spawnAdapter(ctx.distDir, r.role, r.env(port), r.args));
        } catch (err) {
          rows.push({ bench: 'footprint', metric: `${r.role}: start-up`, value: undefined, unit: '', met: false, note: `failed: ${String(err).split('\n').slice(0, 3).join(' ')}` });
          continue;
        }
        rows.push(
          withRatio({
            bench: 'footprint',
            metric: `${r.role}: start-up to ready`,
            value: m.startMs,
            unit: 'ms',
            reference: { label: 'bare Node', value: bare.startMs, unit: 'ms' },
          }),
          withRatio({
            bench: 'footprint',
            metric: `${r.role}: idle RSS`,
            value: m.rssMiB,
            unit: 'MiB',
            reference: { label: 'bare Node', value: bare.rssMiB, unit: 'MiB' },
            target: '< 80 MB',
            // 80 MB = 76.3 MiB
            met: m.rssMiB * 1.048576 < 80,
          }),
        );
      }
      return rows;
    } finally {
      await sink.close();
      await admin.deleteTopics({ topics: [idleTopic] }).catch(() => undefined);
      await admin.disconnect();
    }
  },
};
