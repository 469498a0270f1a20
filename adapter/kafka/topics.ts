/**
 * The source's topics must exist before the initial offsets can be read. The admin client never asks the broker
 * to create a topic, but a subscribing consumer does (kafkajs' default, honoured by brokers with
 * `auto.create.topics.enable`), and that is what a KafkaSource naming a new topic relied on before initial
 * offsets were committed up front. So: ask once the way a consumer would, and while topics are still missing,
 * stay not ready and say which ones and what to do — never crash-loop over a topic that will be created later.
 */
import type { Admin, Kafka } from 'kafkajs';
import { backoffDelay, sleep } from '../../lib/backoff.js';
import type { Logger } from '../../lib/log.js';

/** How long one on-demand creation request may take; kafkajs retries a refused one for minutes otherwise. */
const autoCreateTimeoutMs = 10_000;
const waitBackoff = { policy: 'exponential', baseMs: 500, maxMs: 30_000 } as const;

/** The topics of `wanted` that the cluster does not have. Pure. */
export function missingTopics(wanted: readonly string[], existing: readonly string[]): string[] {
  const have = new Set(existing);
  return wanted.filter((t) => !have.has(t));
}

/** A metadata request that lets the broker create the topics, as the consumer's subscribe makes (no group join). */
async function requestAutoCreation(kafka: Kafka, groupId: string, topics: string[]): Promise<void> {
  const probe = kafka.consumer({ groupId, allowAutoTopicCreation: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    await probe.connect();
    await Promise.race([
      probe.subscribe({ topics }),
      new Promise((resolve) => {
        timer = setTimeout(resolve, autoCreateTimeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await probe.disconnect().catch(() => undefined);
  }
}

export async function awaitTopics(opts: {
  kafka: Kafka;
  admin: Admin;
  groupId: string;
  topics: readonly string[];
  log: Logger;
  signal: AbortSignal;
}): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const missing = missingTopics(opts.topics, await opts.admin.listTopics());
    if (missing.length === 0) return;
    if (attempt === 0) {
      await requestAutoCreation(opts.kafka, opts.groupId, missing).catch((err: unknown) =>
        opts.log.debug('on-demand topic creation not accepted', { topics: missing, err }),
      );
      continue;
    }
    const waitMs = backoffDelay(attempt, waitBackoff);
    opts.log.warn('kafka topics do not exist; not ready until they do', {
      topics: missing,
      fix: 'Create the topics (kafka-topics.sh --create --topic …), or let the broker create them on demand (auto.create.topics.enable=true)',
      retryInMs: waitMs,
    });
    await sleep(waitMs, opts.signal);
  }
}
