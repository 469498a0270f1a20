/**
 * The multi-tenant cron adapter (`headwater-adapter cron`). Modes, from the flags and environment:
 * - cluster (no flags): watch every CronSource and send to each one's status.sinkUri (as Knative's mt-ping);
 * - `--file sources.json|yaml`: the sources in a file, re-read when it changes;
 * - `--schedule "…" [--sink URL]`, or K_SOURCE_CONFIG with NAMESPACE/NAME: one source (sink from --sink or K_SINK).
 */
import type { AdapterConfig } from '../runtime/config.js';
import type { RoleContext, RoleHandle } from '../runtime/role.js';
import { type CronMode, parseCronFlags } from './flags.js';
import { createCronMetrics } from './metrics.js';
import { CronScheduler, systemClock } from './scheduler.js';
import { buildTenant, type CronSpecInput, type CronTenant } from './tenant.js';

function modeFrom(cfg: AdapterConfig, argv: readonly string[]): CronMode {
  const mode = parseCronFlags(argv);
  if (mode.mode === 'cluster' && cfg.sourceConfig !== undefined) {
    return {
      mode: 'single',
      namespace: cfg.namespace ?? 'default',
      name: cfg.name ?? 'cron',
      spec: cfg.sourceConfig as CronSpecInput,
    };
  }
  return mode;
}

/** Observers of the scheduler (the cron benchmark's fire lateness); the adapter itself passes none. */
export interface CronObservers {
  onFire?(scheduledMs: number): void;
}

export async function run(cfg: AdapterConfig, ctx: RoleContext, observers: CronObservers = {}): Promise<RoleHandle> {
  const mode = modeFrom(cfg, ctx.argv);
  const scheduler = new CronScheduler({
    clock: systemClock,
    emitterFor: (tenant: CronTenant) => ctx.newEmitter(tenant.output),
    logger: ctx.logger,
    metrics: createCronMetrics(ctx.metrics.registry),
    ...(observers.onFire === undefined ? {} : { onFire: observers.onFire }),
  });
  const cleanups: (() => void)[] = [];

  if (mode.mode === 'single') {
    const sinkUri = mode.sinkUri ?? cfg.sink;
    // Fails start-up with the field named: a single source that cannot run is a configuration error.
    scheduler.upsert(
      buildTenant({
        namespace: mode.namespace,
        name: mode.name,
        spec: mode.spec,
        defaults: cfg,
        ...(sinkUri === undefined ? {} : { sinkUri }),
        ...(cfg.eventBus === undefined ? {} : { eventBus: cfg.eventBus }),
      }),
    );
    ctx.setReady(true);
  } else if (mode.mode === 'file') {
    // Loaded only in file mode: the YAML parser behind it is 72 modules (~1.5 MiB RSS, tens of ms of start-up)
    // that a single-source or cluster-mode adapter never uses (bench/README.md, footprint).
    const { readSourcesFile, watchSourcesFile } = await import('./file-source.js');
    const load = async (): Promise<void> => {
      const sources = await readSourcesFile(mode.path);
      const wanted = new Set<string>();
      for (const s of sources) {
        wanted.add(`${s.namespace}/${s.name}`);
        try {
          scheduler.upsert(
            buildTenant({ ...s, defaults: cfg, ...(s.sinkUri === undefined && cfg.sink !== undefined ? { sinkUri: cfg.sink } : {}) }),
          );
        } catch (err) {
          ctx.logger.warn('cron source not scheduled', { source: `${s.namespace}/${s.name}`, err });
          scheduler.remove(`${s.namespace}/${s.name}`);
        }
      }
      for (const key of scheduler.keys()) if (!wanted.has(key)) scheduler.remove(key);
    };
    await load();
    watchSourcesFile(
      mode.path,
      1_000,
      () => {
        ctx.logger.info('sources file changed; reloading', { file: mode.path });
        load().catch((err: unknown) => ctx.logger.error('sources file not reloaded; keeping the current sources', { err }));
      },
      ctx.signal,
    );
    ctx.setReady(true);
  } else {
    // Loaded only in cluster mode: @kubernetes/client-node costs ~70 MB RSS and ~0.8 s of start-up, which the
    // file and single-source modes never need (bench/README.md, footprint).
    const [{ loadKubeConfig }, { KubeClient }, { watchCronSources }] = await Promise.all([
      import('../../lib/kube/kubeconfig.js'),
      import('../../lib/kube/client.js'),
      import('./cluster-source.js'),
    ]);
    const client = new KubeClient(loadKubeConfig());
    const watch = watchCronSources({ client, scheduler, cfg, logger: ctx.logger, signal: ctx.signal });
    cleanups.push(() => watch.stop());
    // Ready once the first list of CronSources is in: from then on every existing source is scheduled.
    watch.ready.then(
      () => ctx.setReady(true),
      (err: unknown) => ctx.logger.warn('CronSource watch stopped before its first list', { err }),
    );
  }

  return {
    async stop() {
      for (const c of cleanups) c();
      ctx.setReady(false);
      await scheduler.stop();
    },
  };
}
