/**
 * One adapter process from start to exit: parse the env contract, start health/metrics, build the output,
 * run the role, and on a stop signal wind everything down in order (role → emitter → connections → server).
 */
import { ConfigError, HeadwaterError } from '../../lib/errors.js';
import { type HealthServer, startHealthServer } from '../../lib/http/health-server.js';
import { createLogger, type Logger } from '../../lib/log.js';
import { type AdapterConfig, type Env, parseAdapterConfig } from './config.js';
import { deferredEmitter, deferredHttpPool } from './deferred-output.js';
import type { Emitter, EmitterConfig } from './emitter.js';
import { createAdapterMetrics } from './metrics.js';
import type { RoleContext, RoleHandle, RunRole } from './role.js';
import { createShutdown, type ShutdownControl } from './shutdown.js';

export const roles = ['cron', 'kafka', 'redisstream', 'trigger'] as const;
export type RoleName = (typeof roles)[number];

/** Roles whose whole point is forwarding one source, so a missing K_SINK/K_EVENT_BUS_CONFIG is a start-up error. */
const needsOutput: ReadonlySet<RoleName> = new Set<RoleName>(['kafka', 'redisstream']);

/**
 * Roles that send only through their emitters: their HTTP client is loaded with the first event
 * (deferred-output.ts). The trigger dispatcher calls deliverToSink with the pool itself, so it gets it at start.
 */
const sendsOnlyThroughEmitters: ReadonlySet<RoleName> = new Set<RoleName>(['cron', 'kafka', 'redisstream']);

/** Time between SIGTERM and abandoning in-flight events; below Kubernetes' default 30 s termination grace. */
export const shutdownGraceMs = 20_000;

export class UnknownRoleError extends HeadwaterError {
  constructor(role: string | undefined) {
    super('UnknownRole', `unknown role ${JSON.stringify(role ?? '')}: use headwater-adapter <${roles.join('|')}> [flags]`, {
      role,
    });
  }
}

/** Internal: the start was given up because a stop was asked for; a clean exit, not a failure. */
class StoppedDuringStart extends Error {}

export function isRole(value: string | undefined): value is RoleName {
  return (roles as readonly string[]).includes(value ?? '');
}

/**
 * One loader per role, each a literal specifier: a role's module (kafkajs, ioredis…) is loaded only when that
 * role runs, and every tool that follows imports (tsc, vitest, bundlers) can see the modules.
 */
const roleModules: Record<RoleName, () => Promise<{ run?: unknown }>> = {
  cron: () => import('../cron/index.js'),
  kafka: () => import('../kafka/index.js'),
  redisstream: () => import('../redisstream/index.js'),
  trigger: () => import('../trigger/index.js'),
};

async function loadRole(role: RoleName): Promise<RunRole> {
  const { run } = await roleModules[role]();
  if (typeof run !== 'function') throw new HeadwaterError('RoleModule', `adapter/${role}/index.js exports no run()`, { role });
  return run as RunRole;
}

export interface RunningAdapter {
  readonly config: AdapterConfig;
  readonly health: HealthServer;
  readonly shutdown: ShutdownControl;
  /** Resolves with the exit code once everything is wound down. */
  readonly finished: Promise<number>;
}

export interface RunAdapterOptions {
  handleSignals?: boolean;
  graceMs?: number;
  logWrite?: (line: string) => void;
  /** Replaces the role module (tests). */
  runRole?: RunRole;
}

export async function runAdapter(
  role: RoleName,
  argv: readonly string[],
  env: Env,
  options: RunAdapterOptions = {},
): Promise<RunningAdapter> {
  const config = parseAdapterConfig(env);
  const logger: Logger = createLogger(
    { component: 'adapter', role, ...(config.namespace ? { namespace: config.namespace } : {}), ...(config.name ? { name: config.name } : {}) },
    { level: config.logLevel, ...(options.logWrite ? { write: options.logWrite } : {}) },
  );
  if (needsOutput.has(role) && config.sink === undefined && config.eventBus === undefined) {
    throw new ConfigError('K_SINK', `is not set (role ${role} needs an output)`, 'Set K_SINK to the sink URL, or K_EVENT_BUS_CONFIG');
  }
  const metrics = createAdapterMetrics(role);
  const shutdown = createShutdown({ logger, graceMs: options.graceMs ?? shutdownGraceMs, handleSignals: options.handleSignals ?? true });
  const http = deferredHttpPool(async () => (await import('./http-pool.js')).createHttpPool());
  if (!sendsOnlyThroughEmitters.has(role)) await http.load();
  const delivery = { http, logger, metrics, signal: shutdown.abandon };
  const buildEmitter = async (cfg: EmitterConfig): Promise<Emitter> => {
    await http.load();
    const { createEmitter } = await import('./emitter.js');
    return createEmitter(cfg, delivery);
  };
  // A bus output connects at once (a start-up failure shows at start-up); the HTTP one waits for its first event.
  const newEmitter = async (cfg: EmitterConfig): Promise<Emitter> =>
    cfg.eventBus === undefined ? deferredEmitter(() => buildEmitter(cfg)) : buildEmitter(cfg);
  let ready = false;
  const health = await startHealthServer({
    host: config.bindAddress,
    port: config.port,
    registry: metrics.registry,
    isReady: () => ready && !shutdown.intake.aborted,
    readyText: 'ready',
    notReadyText: 'not ready',
  });
  logger.info('adapter starting', { health: health.url, sink: config.sink, eventBus: config.eventBus?.backend });

  let emitter: Emitter | undefined;
  let handle: RoleHandle | undefined;
  const finished = (async (): Promise<number> => {
    let code = 0;
    try {
      emitter = await newEmitter(config);
      const ctx: RoleContext = {
        emitter,
        newEmitter,
        delivery,
        logger,
        metrics,
        setReady: (r) => {
          if (r !== ready) logger.info(r ? 'ready' : 'not ready');
          ready = r;
        },
        signal: shutdown.intake,
        argv,
      };
      const run = options.runRole ?? (await loadRole(role));
      const starting = run(config, ctx);
      // A stop asked for while the role is still starting (kafkajs retrying a refused connection can take
      // minutes) must not wait for that start: the role is not ready, so nothing it holds has been acked.
      const first = await Promise.race([
        starting.then((h) => ({ started: h })),
        shutdown.requested.then((reason) => ({ stoppedWhileStarting: reason })),
      ]);
      if ('stoppedWhileStarting' in first) {
        logger.warn('stop asked for during start-up: not waiting for the role to finish starting', {
          reason: first.stoppedWhileStarting,
        });
        // Should the start still complete while we wind down, stop what it started.
        void starting.then(
          (h) => h.stop().catch((err: unknown) => logger.warn('error stopping a role that started late', { err })),
          () => {},
        );
        throw new StoppedDuringStart();
      }
      handle = first.started;
      const roleEnded = handle.done?.then(
        () => 'role ended',
        (err: unknown) => {
          logger.error('role failed', { err });
          code = 1;
          return 'role failed';
        },
      );
      const reason = await Promise.race([shutdown.requested, ...(roleEnded ? [roleEnded] : [])]);
      shutdown.trigger(reason);
    } catch (err) {
      if (!(err instanceof StoppedDuringStart)) {
        logger.error('adapter failed', { err });
        code = 1;
        shutdown.trigger('start-up failed');
      }
    }
    ready = false;
    try {
      await handle?.stop();
      await emitter?.close();
    } catch (err) {
      logger.error('error while stopping', { err });
      code = code || 1;
    }
    await http.close();
    await health.close();
    shutdown.dispose();
    logger.info('adapter stopped', { code });
    return code;
  })();
  return { config, health, shutdown, finished };
}
