/**
 * `headwater-adapter redisstream`: the RedisStreamSource receive adapter. `consumers` group readers run in
 * this process, each on its own connection and with its own stable consumer name; an entry is XACKed only
 * once the emitter said its event is safe.
 */
import type { AdapterConfig } from '../runtime/config.js';
import { emitOrSkipUndeliverable } from '../runtime/emit-or-skip.js';
import type { RoleContext, RoleHandle } from '../runtime/role.js';
import { parseRedisStreamRoleConfig } from './config.js';
import { connectRedis } from './connection.js';
import { entryToEvent } from './entry-to-event.js';
import { ensureGroup, runGroupReader } from './group-reader.js';
import type { StreamEntry } from './stream-reply.js';

export async function run(cfg: AdapterConfig, ctx: RoleContext): Promise<RoleHandle> {
  const rc = parseRedisStreamRoleConfig(cfg);
  const log = ctx.logger.child({ stream: rc.stream, group: rc.group });
  const owner = { namespace: rc.namespace, name: rc.name, stream: rc.stream };

  const handle = async (entry: StreamEntry): Promise<void> => {
    const event = entryToEvent(entry, owner);
    // Not deliverable and no dead-letter sink took it: acknowledge it with a loud reason rather than redeliver
    // it forever. The entry itself stays in the stream.
    await emitOrSkipUndeliverable(ctx.emitter, event, (err) =>
      log.error('entry rejected: not deliverable and no dead-letter sink accepted it; acknowledged', {
        id: entry.id,
        kind: err.kind,
        reason: err.message,
      }),
    );
  };

  const connections = rc.consumerNames.map((n) => connectRedis(rc.connection, `headwater-${n}`, 'K_SOURCE_CONFIG address'));
  try {
    await ensureGroup(connections[0]!, rc.stream, rc.group, '$');
  } catch (err) {
    for (const c of connections) c.disconnect();
    throw err;
  }
  const abort = new AbortController();
  const readers = rc.consumerNames.map((consumer, i) =>
    runGroupReader({
      redis: connections[i]!,
      stream: rc.stream,
      group: rc.group,
      consumer,
      handle,
      concurrency: cfg.maxInFlight,
      signal: abort.signal,
      log: log.child({ consumer }),
    }),
  );
  const done = Promise.all(readers).then(() => undefined);
  done.catch(() => undefined);
  ctx.setReady(true);
  log.info('redis stream source reading', { consumers: rc.consumerNames });
  return {
    done,
    stop: async () => {
      ctx.setReady(false);
      abort.abort();
      await done.catch(() => undefined);
      for (const c of connections) c.disconnect();
    },
  };
}
