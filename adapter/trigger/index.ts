/**
 * `headwater-adapter trigger`: the Trigger dispatcher role. Wiring only: config → bus → dispatcher, with
 * each subscriber served by the runtime's HTTP delivery (retries, dead-letter sink) or a bus republish.
 */
import { ConfigError } from '../../lib/errors.js';
import { createBus } from '../bus/create.js';
import { busEmitter } from '../bus/emitter.js';
import type { AdapterConfig } from '../runtime/config.js';
import { isUndeliverable } from '../runtime/errors.js';
import type { RoleContext, RoleHandle } from '../runtime/role.js';
import { deliverToSink } from '../runtime/sink-delivery.js';
import { parseTriggerConfig, type TriggerSubscriber } from './config.js';
import { startDispatcher } from './dispatcher.js';

/** Durable consumer name per Trigger: stable across restarts and replicas, distinct between Triggers. */
export function durableName(namespace: string, name: string): string {
  return `trigger-${namespace}-${name}`;
}

export async function run(cfg: AdapterConfig, ctx: RoleContext): Promise<RoleHandle> {
  if (cfg.triggerConfig === undefined) {
    throw new ConfigError('K_TRIGGER_CONFIG', 'is not set (role trigger needs it)', 'Set it to the Trigger config JSON the controller renders.');
  }
  if (cfg.namespace === undefined || cfg.name === undefined) {
    throw new ConfigError('NAMESPACE', 'NAMESPACE and NAME must both be set for the trigger role', 'Set them to the Trigger object’s namespace and name.');
  }
  // Secrets as the runtime read them at start (one parse of the environment), not process.env again.
  const tc = parseTriggerConfig(cfg.triggerConfig, cfg.secrets);
  const log = ctx.logger.child({ trigger: `${cfg.namespace}/${cfg.name}` });
  const bus = await createBus(tc.bus, { logger: log });

  const send = async (sub: TriggerSubscriber, event: Parameters<typeof deliverToSink>[0]): Promise<void> => {
    if (sub.topic !== undefined) {
      // Through the bus emitter (not bus.publish) so an event over the bus size limit is a non-retryable
      // DeliveryError rather than a publish that fails forever. Its close() would close the shared bus: not called.
      await busEmitter(bus, sub.topic).emit(event);
      ctx.metrics.published();
    }
    if (sub.sinkUri !== undefined) {
      await deliverToSink(
        event,
        {
          uri: sub.sinkUri,
          delivery: sub.delivery,
          timeoutMs: sub.timeoutMs ?? cfg.timeoutMs,
          maxEventBytes: cfg.maxEventBytes,
          ...(sub.deadLetterSinkUri === undefined ? {} : { deadLetterUri: sub.deadLetterSinkUri }),
          ...(cfg.caCerts === undefined ? {} : { caCerts: cfg.caCerts }),
        },
        ctx.delivery,
      );
    }
  };

  let dispatcher: Awaited<ReturnType<typeof startDispatcher>>;
  try {
    dispatcher = await startDispatcher(tc, {
      bus,
      durable: durableName(cfg.namespace, cfg.name),
      send,
      log,
      isPermanent: isUndeliverable,
      onReceived: () => ctx.metrics.received(),
      concurrency: cfg.maxInFlight,
    });
  } catch (err) {
    await bus.close().catch(() => undefined);
    throw err;
  }
  ctx.setReady(true);
  log.info('trigger dispatcher consuming', { topics: tc.inputs.map((i) => i.topic), subscribers: tc.subscribers.length });
  return {
    done: dispatcher.done,
    stop: async () => {
      ctx.setReady(false);
      await dispatcher.close();
      await bus.close();
    },
  };
}
