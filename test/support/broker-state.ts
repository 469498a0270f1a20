/**
 * What a broker holds for a consumer group, read the way the tests assert "nothing acked / everything acked":
 * a Redis stream group's pending count and last-delivered id, a Kafka group's committed offset.
 */
import type { Redis } from 'ioredis';
import type { Admin } from 'kafkajs';
import { waitFor } from './wait-for.js';

export interface RedisGroupState {
  pending: number;
  lastDeliveredId: string;
}

/** `group` on `stream` (XINFO GROUPS); undefined when the group does not exist. */
export async function redisGroupState(admin: Redis, stream: string, group: string): Promise<RedisGroupState | undefined> {
  const groups = (await admin.call('XINFO', ['GROUPS', stream])) as unknown[][];
  for (const g of groups) {
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < g.length; i += 2) fields.set(String(g[i]), g[i + 1]);
    if (fields.get('name') === group) return { pending: Number(fields.get('pending')), lastDeliveredId: String(fields.get('last-delivered-id')) };
  }
  return undefined;
}

/** The group's committed offset of one partition ('-1': none). The coordinator of a new broker may still be loading. */
export function kafkaCommittedOffset(admin: Admin, group: string, topic: string, partition = 0): Promise<string> {
  return waitFor(`offsets of ${group}`, async () => {
    const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return t?.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
  }, 15_000);
}
