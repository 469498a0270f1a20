import { describe, expect, it } from 'vitest';
import { BusOutputError, busOutputFor } from '../../../../adapter/cron/bus-output.js';

describe('busOutputFor', () => {
  it('derives the publish config the controller would give, topic {ns}-{source}', () => {
    expect(busOutputFor('EventBus', { metadata: { name: 'main', namespace: 'team.a' }, spec: { nats: { url: 'nats://n:4222' } } }, 'team.a', 'tick')).toEqual({
      backend: 'nats',
      topic: 'team.a-tick',
      nats: { url: 'nats://n:4222', stream: 'headwater-team_a-main' },
    });
    expect(busOutputFor('ClusterEventBus', { metadata: { name: 'shared' }, spec: { nats: { url: 'nats://n', stream: 'S' } } }, 'ns', 'c')).toEqual({
      backend: 'nats',
      topic: 'ns-c',
      nats: { url: 'nats://n', stream: 'S' },
    });
    expect(busOutputFor('EventBus', { metadata: { name: 'r', namespace: 'ns' }, spec: { redis: { address: 'r:6379' } } }, 'ns', 'c')).toEqual({
      backend: 'redis',
      topic: 'ns-c',
      redis: { address: 'r:6379' },
    });
    expect(busOutputFor('EventBus', { metadata: { name: 'k', namespace: 'ns' }, spec: { kafka: { bootstrapServers: ['k:9092'] } } }, 'ns', 'c')).toEqual({
      backend: 'kafka',
      topic: 'ns-c',
      kafka: { bootstrapServers: ['k:9092'] },
    });
  });

  it('refuses a bus that needs credentials, or names no backend', () => {
    const token = { secretKeyRef: { name: 's', key: 'k' } };
    expect(() => busOutputFor('EventBus', { metadata: { name: 'b', namespace: 'ns' }, spec: { nats: { url: 'nats://n', token } } }, 'ns', 'c')).toThrow(
      /needs a token/,
    );
    expect(() => busOutputFor('EventBus', { metadata: { name: 'b', namespace: 'ns' }, spec: {} }, 'ns', 'c')).toThrow(BusOutputError);
  });
});
