/**
 * `headwater-adapter kafka`: the KafkaSource receive adapter. Each record becomes a CloudEvent handed to the
 * emitter; its offset is committed only once the emitter said the event is safe.
 *
 * Ready (/readyz) means exactly: connected, the consumer joined its group, and every partition of the topics has
 * a committed offset (initial-offsets.ts). The controller reports ConnectionEstablished and
 * InitialOffsetsCommitted from the Deployment's availability, so keep this the only path to setReady(true).
 */
import type { Consumer } from 'kafkajs';
import { HeadwaterError } from '../../lib/errors.js';
import type { AdapterConfig } from '../runtime/config.js';
import { emitOrSkipUndeliverable } from '../runtime/emit-or-skip.js';
import type { RoleContext, RoleHandle } from '../runtime/role.js';
import { type KafkaRecord, startBatchConsumer } from './batch-consumer.js';
import { createKafkaClient } from './client.js';
import { parseKafkaRoleConfig } from './config.js';
import { commitAsMember, commitBeforeJoin, type InitialOffsetsTarget, observingConsumers, startRecheck } from './initial-offsets.js';
import { recordToEvent } from './record-to-event.js';
import { awaitTopics } from './topics.js';

export async function run(cfg: AdapterConfig, ctx: RoleContext): Promise<RoleHandle> {
  const kc = parseKafkaRoleConfig(cfg);
  const log = ctx.logger.child({ group: kc.groupId, topics: kc.topics });
  const kafka = createKafkaClient(kc.bootstrapServers, `headwater-kafkasource-${kc.namespace}-${kc.name}`, kc.security, log);

  const handle = async (record: KafkaRecord): Promise<void> => {
    const { event, skipped } = recordToEvent(record, kc);
    for (const s of skipped) log.debug('kafka header not carried as an extension', { id: event.id, ...s });
    // Not deliverable and no dead-letter sink took it: say so loudly and commit the offset rather than stall
    // the partition forever. The record stays in Kafka for inspection.
    await emitOrSkipUndeliverable(ctx.emitter, event, (err) =>
      log.error('record rejected: not deliverable and no dead-letter sink accepted it; offset committed', {
        id: event.id,
        kind: err.kind,
        reason: err.message,
      }),
    );
  };

  const admin = kafka.admin();
  await admin.connect();
  const offsets: InitialOffsetsTarget = {
    admin,
    groupId: kc.groupId,
    topics: kc.topics,
    initialOffset: kc.fromBeginning ? 'earliest' : 'latest',
    log,
  };
  let member: Consumer | undefined;
  let consumer: Awaited<ReturnType<typeof startBatchConsumer>> | undefined;
  let recheck: { stop(): void } | undefined;
  const stop = async (): Promise<void> => {
    ctx.setReady(false);
    recheck?.stop();
    try {
      await consumer?.stop();
    } finally {
      await admin.disconnect();
    }
  };
  try {
    await awaitTopics({ kafka, admin, groupId: kc.groupId, topics: kc.topics, log, signal: ctx.signal });
    // Before joining, so a (re)started consumer already finds every partition's position committed.
    const pending = await commitBeforeJoin(kafka, offsets);
    consumer = await startBatchConsumer({
      kafka: observingConsumers(kafka, (c) => {
        member = c;
      }),
      groupId: kc.groupId,
      topics: kc.topics,
      fromBeginning: kc.fromBeginning,
      ordering: kc.ordering,
      // unordered: the emitter's bound, split among the partitions (ordered has one record per partition).
      concurrency: cfg.maxInFlight,
      handle,
      log,
    });
    if (member === undefined) {
      throw new HeadwaterError('KafkaConsumerHook', 'the batch consumer did not create its consumer through the client it was given', { group: kc.groupId });
    }
    if (pending.length > 0) {
      log.info('initial offsets pending while another group member runs; committing as a member', { pending });
      // false = shutting down: return the handle so the lifecycle stops what is running.
      if (!(await commitAsMember(offsets, member, ctx.signal))) return { done: consumer.done, stop };
    }
    recheck = startRecheck(kafka, offsets, member);
  } catch (err) {
    await stop().catch((stopErr: unknown) => log.warn('error while stopping after a failed start', { err: stopErr }));
    throw err;
  }
  ctx.setReady(true);
  log.info('kafka source consuming', { ordering: kc.ordering, fromBeginning: kc.fromBeginning });
  return { done: consumer.done, stop };
}
