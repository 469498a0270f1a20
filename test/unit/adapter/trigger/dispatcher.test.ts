import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../lib/log.js';
import { parseTriggerConfig, type TriggerSubscriber } from '../../../../adapter/trigger/config.js';
import { createDispatcher, DispatchError } from '../../../../adapter/trigger/dispatcher.js';

const log = createLogger({}, { write: () => undefined });

const cfg = parseTriggerConfig(
  {
    bus: { backend: 'redis', redis: { address: '127.0.0.1:6379' } },
    inputs: { a: { topic: 'ns-a' }, b: { topic: 'ns-b' } },
    filters: [{ not: { exact: { type: 'ignored' } } }],
    subscribers: [{ sinkUri: 'http://every/' }, { condition: 'a && b', sinkUri: 'http://both/' }],
  },
  {},
);

const ev = (id: string, type = 't'): CloudEvent<unknown> => new CloudEvent<unknown>({ id, source: '/s', type, data: { id } });

/** A send that records calls and fails the sinks in `failing`. */
function recorder(failing: Set<string>, permanent = new Set<string>()) {
  const calls: { sink: string; id: string }[] = [];
  const send = async (sub: TriggerSubscriber, event: CloudEvent<unknown>): Promise<void> => {
    calls.push({ sink: sub.sinkUri ?? '', id: event.id });
    if (permanent.has(sub.sinkUri ?? '')) throw Object.assign(new Error('400'), { permanent: true });
    if (failing.has(sub.sinkUri ?? '')) throw new Error('sink down');
  };
  return { calls, send };
}

describe('trigger dispatcher core', () => {
  it('filters, fans out by condition and acks once every subscriber is safe', async () => {
    const { calls, send } = recorder(new Set());
    const d = createDispatcher(cfg, { send, log });
    await d.handle('ns-a', ev('1'));
    await d.handle('ns-a', ev('2', 'ignored'));
    await d.handle('ns-b', ev('3'));
    expect(calls).toEqual([
      { sink: 'http://every/', id: '1' },
      { sink: 'http://every/', id: '3' },
      { sink: 'http://both/', id: '3' },
    ]);
  });

  it('rejects (no ack) while a subscriber fails, and on redelivery sends only to the ones still owed', async () => {
    const failing = new Set(['http://both/']);
    const { calls, send } = recorder(failing);
    const d = createDispatcher(cfg, { send, log });
    await d.handle('ns-a', ev('1'));
    await expect(d.handle('ns-b', ev('2'))).rejects.toBeInstanceOf(DispatchError);
    failing.clear();
    // The condition already reset on the first pass; the redelivery must still reach "both", and "every" only once.
    await d.handle('ns-b', ev('2'));
    expect(calls.filter((c) => c.id === '2')).toEqual([
      { sink: 'http://every/', id: '2' },
      { sink: 'http://both/', id: '2' },
      { sink: 'http://both/', id: '2' },
    ]);
  });

  it('a permanent failure is counted and acked instead of redelivered forever', async () => {
    const { send } = recorder(new Set(), new Set(['http://every/']));
    let permanentFailures = 0;
    const d = createDispatcher(cfg, {
      send,
      log,
      isPermanent: (err) => (err as { permanent?: boolean }).permanent === true,
      onPermanentFailure: () => {
        permanentFailures++;
      },
    });
    await expect(d.handle('ns-a', ev('1'))).resolves.toBeUndefined();
    expect(permanentFailures).toBe(1);
  });

  it('an event on a topic no input reads is acked without delivery', async () => {
    const { calls, send } = recorder(new Set());
    await createDispatcher(cfg, { send, log }).handle('ns-other', ev('1'));
    expect(calls).toEqual([]);
  });
});
