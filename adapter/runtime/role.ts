/**
 * What `adapter/main.ts` hands to a role (cron, kafka, redisstream, trigger) and what it gets back.
 * Every role module exports `run(cfg: AdapterConfig, ctx: RoleContext): Promise<RoleHandle>` from
 * `adapter/<role>/index.ts`.
 */
import type { Logger } from '../../lib/log.js';
import type { AdapterConfig } from './config.js';
import type { Emitter, EmitterConfig } from './emitter.js';
import type { AdapterMetrics } from './metrics.js';
import type { SinkDeliveryDeps } from './sink-delivery.js';

export interface RoleContext {
  /**
   * The process's own output: K_SINK (HTTP) or K_EVENT_BUS_CONFIG (bus). For roles that need it (kafka,
   * redisstream) main refuses to start without one; for the others (cron, trigger) it rejects every emit
   * with a DeliveryError of kind 'not-configured'. An HTTP output loads its client with the first event
   * (deferred-output.ts), so the first emit waits for that once.
   */
  emitter: Emitter;
  /** Another output sharing this process's HTTP pool and metrics (multi-tenant cron: one per distinct sink or bus topic, shared by the CronSources that send there). */
  newEmitter(cfg: EmitterConfig): Promise<Emitter>;
  /** The HTTP send with retries/DLQ (`deliverToSink`) needs these; the trigger dispatcher uses them per subscriber. */
  delivery: SinkDeliveryDeps;
  logger: Logger;
  metrics: AdapterMetrics;
  /** /readyz answers 200 only while the role says it is ready (connected to its source). */
  setReady(ready: boolean): void;
  /** Aborted on SIGTERM/SIGINT: stop taking new work. */
  signal: AbortSignal;
  /** Role flags after `headwater-adapter <role>` (standalone use, e.g. `cron --sink URL --schedule "…"`). */
  argv: readonly string[];
}

export interface RoleHandle {
  /**
   * Stop taking new work, then finish or safely abandon in-flight events (un-acked ones are redelivered by the
   * source). Called once, after `signal` aborted. Resolves when the role holds nothing anymore.
   */
  stop(): Promise<void>;
  /** Settles when the role ends by itself: rejects on a fatal error (main then exits non-zero). Optional. */
  done?: Promise<void>;
}

export type RunRole = (cfg: AdapterConfig, ctx: RoleContext) => Promise<RoleHandle>;
