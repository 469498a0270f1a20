/**
 * KafkaSource's informational conditions against the real apiserver and kube-controller-manager: every status the
 * controller writes is watched, so the test sees ConnectionEstablished and InitialOffsetsCommitted go Unknown
 * (adapter Deployment not available yet) → True (available) in the same writes as Deployed, without changing how
 * Ready aggregates, and with no writes once steady.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../controller/runtime/types.js';
import { conditionOf, expectNoWritesWhileSteady, type Harness, pathOf, service, startHarness } from './harness.js';

const SOURCES = 'sources.headwater.dev/v1alpha1';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

interface Seen {
  deployed?: string;
  ready?: string;
  connection?: { status: string; reason?: string; severity?: string };
  offsets?: { status: string; reason?: string; message?: string };
}

describe('KafkaSource ConnectionEstablished / InitialOffsetsCommitted', () => {
  it('go Unknown → True when the adapter Deployment turns available, riding in the Deployed status writes', async () => {
    const name = 'kafka-conds';
    await h.create(service(h.ns, 'kafka-conds-sink'), 'services');
    // Watch before creating, so every version the controller writes is seen (polling could miss the Unknown one).
    const seen: Seen[] = [];
    const watch = await h.client.stream(pathOf(SOURCES, 'kafkasources', h.ns), { watch: true, fieldSelector: `metadata.name=${name}` }, (line) => {
      const ev = JSON.parse(line) as { type: string; object: KubeObject };
      if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') return;
      const c = (type: string) => conditionOf(ev.object, type) as (Seen['offsets'] & { severity?: string }) | undefined;
      if (c('Ready') === undefined) return; // created, not reconciled yet
      seen.push({
        deployed: c('Deployed')?.status,
        ready: c('Ready')?.status,
        ...(c('ConnectionEstablished') ? { connection: c('ConnectionEstablished') } : {}),
        ...(c('InitialOffsetsCommitted') ? { offsets: c('InitialOffsetsCommitted') } : {}),
      });
    });
    try {
      await h.create(
        {
          apiVersion: SOURCES,
          kind: 'KafkaSource',
          metadata: { name, namespace: h.ns },
          spec: { bootstrapServers: ['127.0.0.1:9092'], topics: ['orders'], consumerGroup: 'conds-group', sink: { ref: { apiVersion: 'v1', kind: 'Service', name: 'kafka-conds-sink' } } },
        },
        'kafkasources',
      );
      const ready = await h.waitForCondition(pathOf(SOURCES, 'kafkasources', h.ns, name), 'Ready', 'True');
      expect(conditionOf(ready, 'ConnectionEstablished')).toMatchObject({ status: 'True', reason: 'AdapterReady' });
      expect(conditionOf(ready, 'InitialOffsetsCommitted')).toMatchObject({ status: 'True', reason: 'AdapterReady' });
      expect(conditionOf(ready, 'InitialOffsetsCommitted')?.message).toContain('group conds-group');
      expect(conditionOf(ready, 'InitialOffsetsCommitted')?.message).toContain('readiness probe');
    } finally {
      watch.abort();
    }

    // The first reconciled status: the Deployment was just created, so not available and the facts not observed.
    expect(seen[0]).toMatchObject({
      deployed: 'Unknown',
      connection: { status: 'Unknown', reason: 'AdapterNotReady', severity: 'Info' },
      offsets: { status: 'Unknown', reason: 'AdapterNotReady' },
    });
    expect(seen.at(-1)).toMatchObject({ deployed: 'True', ready: 'True', connection: { status: 'True', severity: 'Info' }, offsets: { status: 'True' } });
    // In every written status they follow Deployed exactly, so they never cost a write of their own, and Ready
    // is True only with Deployed (they add nothing to its aggregation).
    for (const s of seen) {
      const want = s.deployed === 'True' ? 'True' : 'Unknown';
      expect(s.connection?.status).toBe(want);
      expect(s.offsets?.status).toBe(want);
      if (s.ready === 'True') expect(s.deployed).toBe('True');
    }

    await expectNoWritesWhileSteady(h);
  });
});
