/**
 * Commits the initial offset of every partition of a KafkaSource's topics that has none in the consumer group,
 * so what `initialOffset` resolved to is pinned once and survives restarts (what to commit: initial-offsets-plan.ts).
 *
 * kafkajs commits offsets only as a group member (the broker checks member id and generation), so two ways:
 * - before our consumer joins: a throw-away member joins, commits, leaves — only while the group is empty: with
 *   another replica starting at the same time or one already consuming, we leave it — a re-read says what is
 *   still missing, and once our consumer joined we commit that as a member (another replica's own initial commit
 *   usually got there first);
 * - once our consumer is a member: commit through it. The broker checks membership and generation, not the
 *   assignment, so one replica can commit for partitions another replica owns.
 * Each pass reads the group's offsets first and commits only partitions that have none: an existing committed
 * offset is never moved (the window between the read and the commit is one round trip; losing that race to the
 * owner's own first commit moves its offset back, which replays records, never skips them).
 */
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { backoffDelay, sleep } from '../../lib/backoff.js';
import type { Logger } from '../../lib/log.js';
import {
  type CommittedOffsets,
  type InitialCommit,
  type InitialOffset,
  planInitialCommits,
  type TopicPartitions,
  type TopicWatermarks,
  uncommittedPartitions,
} from './initial-offsets-plan.js';

export interface Committer {
  /** Whether committing this way is possible now; asked before reading and again right before committing. */
  canCommit(): Promise<boolean>;
  commit(commits: InitialCommit[]): Promise<void>;
}

export interface InitialOffsetsTarget {
  admin: Admin;
  groupId: string;
  topics: string[];
  initialOffset: InitialOffset;
  log: Logger;
}

export interface PassResult {
  /** What this pass tried to commit. */
  planned: InitialCommit[];
  /** Partitions still without a committed offset after the pass (re-read from the broker). */
  pending: TopicPartitions[];
  /** Why the commit did not go through, when it did not (e.g. the group has running members). */
  commitError?: unknown;
  /** The committer could not commit now (the group has members): nothing was tried. */
  deferred?: boolean;
}

/** Whether the group has no members: then a member joining it disturbs no one. */
async function groupIsEmpty(admin: Admin, groupId: string): Promise<boolean> {
  const { groups } = await admin.describeGroups([groupId]);
  const state = groups.find((g) => g.groupId === groupId)?.state ?? 'Dead';
  return state === 'Empty' || state === 'Dead';
}

/**
 * Commits as a throw-away member: joins the group, commits every planned offset in one request, leaves. Only
 * while the group is empty: joining a busy group would make the running replicas rebalance, and another replica
 * starting at the same time commits for itself (the member path re-reads instead). kafkajs' admin.setOffsets
 * does the same with one seek per partition and waits a fetch round (about 5 s) to commit; one request is also
 * all-or-nothing, so another replica never reads half of it (which would look like a grown topic).
 */
export function throwawayMemberCommitter(kafka: Kafka, admin: Admin, groupId: string): Committer {
  return {
    canCommit: () => groupIsEmpty(admin, groupId),
    commit: async (commits) => {
      // A short fetch long-poll: disconnect waits for the fetch in flight (kafkajs' default is 5 s).
      const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, maxWaitTimeInMs: 50, retry: { retries: 5 } });
      await consumer.connect();
      try {
        await consumer.subscribe({ topics: [...new Set(commits.map((c) => c.topic))] });
        // autoCommit off and nothing resolved: this member commits only what it is told below. run() returns once joined.
        await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: async () => undefined });
        await memberCommitter(consumer).commit(commits);
      } finally {
        await consumer.disconnect();
      }
    },
  };
}

/** Commits as our own running consumer, a member of the group's current generation: one request for all partitions. */
export function memberCommitter(consumer: Consumer): Committer {
  return {
    canCommit: async () => true,
    commit: (commits) => consumer.commitOffsets(commits.map(({ topic, partition, offset }) => ({ topic, partition, offset }))),
  };
}

async function readCommitted(t: InitialOffsetsTarget): Promise<CommittedOffsets[]> {
  const got = await t.admin.fetchOffsets({ groupId: t.groupId, topics: t.topics });
  return got.map(({ topic, partitions }) => ({ topic, partitions: partitions.map(({ partition, offset }) => ({ partition, offset })) }));
}

/**
 * One pass: read the group's offsets, plan the missing ones, re-read right before committing (dropping what
 * someone else committed meanwhile), commit, read again. Read errors propagate; a refused commit does not.
 */
export async function initialOffsetsPass(t: InitialOffsetsTarget, committer: Committer): Promise<PassResult> {
  const deferred = async (): Promise<PassResult> => ({ planned: [], pending: uncommittedPartitions(await readCommitted(t)), deferred: true });
  if (!(await committer.canCommit())) return deferred();
  const before = await readCommitted(t);
  const missing = uncommittedPartitions(before);
  if (missing.length === 0) return { planned: [], pending: [] };
  const watermarks: TopicWatermarks[] = await Promise.all(
    missing.map(async ({ topic }) => ({ topic, partitions: await t.admin.fetchTopicOffsets(topic) })),
  );
  const stillMissing = uncommittedPartitions(await readCommitted(t));
  const planned = planInitialCommits(before, watermarks, t.initialOffset).filter((c) =>
    stillMissing.some((m) => m.topic === c.topic && m.partitions.includes(c.partition)),
  );
  if (planned.length > 0 && !(await committer.canCommit())) return deferred();
  let commitError: unknown;
  if (planned.length > 0) {
    try {
      await committer.commit(planned);
    } catch (err) {
      commitError = err;
    }
  }
  const pending = uncommittedPartitions(await readCommitted(t));
  return { planned, pending, ...(commitError === undefined ? {} : { commitError }) };
}

function logPass(t: InitialOffsetsTarget, how: string, r: PassResult): void {
  // With a commit error the partitions may have been committed by someone else: claim only what we did.
  const done = r.commitError === undefined ? r.planned.filter((c) => !r.pending.some((p) => p.topic === c.topic && p.partitions.includes(c.partition))) : [];
  if (done.length > 0) {
    t.log.info('initial offsets committed', {
      how,
      commits: done.map((c) => `${c.topic}/${c.partition}@${c.offset} (${c.from}: ${c.because})`),
    });
  }
  if (r.commitError !== undefined) {
    t.log.info('initial offset commit not accepted; re-read the group', { how, err: r.commitError, pending: r.pending });
  }
  if (r.deferred === true && r.pending.length > 0) {
    t.log.info('initial offsets: the group has members, not committing this way now', { how, pending: r.pending });
  }
}

/**
 * Before our consumer joins. Returns what is still missing: non-empty only when the group had running members
 * (another replica) that neither let us in nor committed these partitions yet — the member path finishes them.
 */
export async function commitBeforeJoin(kafka: Kafka, t: InitialOffsetsTarget): Promise<TopicPartitions[]> {
  const r = await initialOffsetsPass(t, throwawayMemberCommitter(kafka, t.admin, t.groupId));
  logPass(t, 'throw-away member, before joining', r);
  return r.pending;
}

/**
 * How long a replica that found the group busy at start-up only watches before committing as a member: another
 * replica's own initial commit is then likely under way, and two commits of "latest" read a moment apart would
 * otherwise overwrite each other.
 */
export const waitForOthersMs = 5_000;

/** After our consumer joined: passes as a member until nothing is missing, or until `signal` aborts (then false). */
export async function commitAsMember(t: InitialOffsetsTarget, consumer: Consumer, signal: AbortSignal, watchMs = waitForOthersMs): Promise<boolean> {
  const member = memberCommitter(consumer);
  const watchUntil = Date.now() + watchMs;
  const committer: Committer = { canCommit: async () => Date.now() >= watchUntil, commit: member.commit };
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) return false;
    try {
      const r = await initialOffsetsPass(t, committer);
      logPass(t, 'as a group member', r);
      if (r.pending.length === 0) return true;
    } catch (err) {
      t.log.warn('initial offsets: reading the group offsets failed; retrying', { err, attempt });
    }
    try {
      await sleep(backoffDelay(attempt, { policy: 'exponential', baseMs: 500, maxMs: 5_000, jitter: 0.2 }), signal);
    } catch {
      return false;
    }
  }
}

/**
 * How often a running adapter looks for partitions without a committed offset (a topic that grew). A periodic
 * check rather than the consumer's GROUP_JOIN event: kafkajs does not rejoin when a subscribed topic gains
 * partitions, so no join announces them. Each check uses a new admin client, whose first metadata is fresh (a
 * long-lived one caches partitions for kafkajs' metadataMaxAge, 5 minutes). New partitions are committed at
 * their low watermark, so what was produced to them before the check is not skipped.
 */
export const recheckEveryMs = 30_000;

/** Periodic member passes while consuming; failures are logged and retried at the next tick. */
export function startRecheck(
  kafka: Kafka,
  t: Omit<InitialOffsetsTarget, 'admin'>,
  consumer: Consumer,
  everyMs = recheckEveryMs,
): { stop(): void } {
  let running = false;
  const check = async (): Promise<void> => {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const target = { ...t, admin };
      logPass(target, 'as a group member (recheck)', await initialOffsetsPass(target, memberCommitter(consumer)));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    check()
      .catch((err: unknown) => t.log.warn('initial offsets recheck failed; next one in a while', { err, everyMs }))
      .finally(() => {
        running = false;
      });
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * The kafkajs client with a hook on consumer creation: startBatchConsumer (shared with the EventBus backend)
 * creates its consumer itself, and the member path needs that consumer to commit through.
 */
export function observingConsumers(kafka: Kafka, onConsumer: (consumer: Consumer) => void): Kafka {
  const observed = Object.create(kafka) as Kafka;
  observed.consumer = (config) => {
    const consumer = kafka.consumer(config);
    onConsumer(consumer);
    return consumer;
  };
  return observed;
}
