/**
 * `headwater-adapter kafka`: the KafkaSource receive adapter. Each record becomes a CloudEvent handed to the
 * emitter; its offset is committed only once the emitter said the event is safe.
 */
import type { AdapterConfig } from '../runtime/config.js';
import { emitOrSkipUndeliverable } from '../runtime/emit-or-skip.js';
import type { RoleContext, RoleHandle } from '../runtime/role.js';
import { type KafkaRecord, startBatchConsumer } from './batch-consumer.js';
import { createKafkaClient } from './client.js';
import { parseKafkaRoleConfig } from './config.js';
import { recordToEvent } from './record-to-event.js';

/** unordered mode: records of one partition batch in flight at once (the emitter bounds the process overall). */
export const unorderedConcurrency = 32;

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

  const consumer = await startBatchConsumer({
    kafka,
    groupId: kc.groupId,
    topics: kc.topics,
    fromBeginning: kc.fromBeginning,
    ordering: kc.ordering,
    concurrency: unorderedConcurrency,
    handle,
    log,
  });
  ctx.setReady(true);
  log.info('kafka source consuming', { ordering: kc.ordering, fromBeginning: kc.fromBeginning });
  return {
    done: consumer.done,
    stop: async () => {
      ctx.setReady(false);
      await consumer.stop();
    },
  };
}
