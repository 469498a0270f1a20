/**
 * Pick the backend named in the config. Backends load lazily so an adapter on the NATS bus never loads
 * kafkajs, and the reverse.
 */
import type { Logger } from '../../lib/log.js';
import type { Bus, BusConfig } from './types.js';

export interface BusDeps {
  logger?: Logger;
}

export async function createBus(cfg: BusConfig, deps: BusDeps = {}): Promise<Bus> {
  switch (cfg.backend) {
    case 'nats': {
      const { createNatsBus } = await import('./nats.js');
      return createNatsBus(required(cfg.nats, 'nats'), deps);
    }
    case 'redis': {
      const { createRedisBus } = await import('./redis.js');
      return createRedisBus(required(cfg.redis, 'redis'), deps);
    }
    case 'kafka': {
      const { createKafkaBus } = await import('./kafka.js');
      return createKafkaBus(required(cfg.kafka, 'kafka'), deps);
    }
  }
}

function required<T>(section: T | undefined, backend: string): T {
  if (section === undefined) {
    // parseBusConfig guarantees the section; this guards hand-built configs in code and tests.
    throw new TypeError(`bus config for backend ${backend} has no ${backend} section`);
  }
  return section;
}
