import { CloudEvent, HTTP } from 'cloudevents';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { preparedEvent } from '../../../../adapter/runtime/prepared-event.js';

/** Byte views compared by kind and content, so a Buffer and a Uint8Array of the same bytes stay told apart. */
function plain(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) {
    return { view: value.constructor.name, hex: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex') };
  }
  return value;
}

/** The SDK's constructor is typed for valid events; these inputs are arbitrary on purpose. */
function sdkEvent(input: Record<string, unknown>): CloudEvent<unknown> {
  return new CloudEvent<unknown>(input as Partial<CloudEvent<unknown>>, false);
}

/**
 * Own properties in order, with their values: what the two constructions must agree on. data_base64 is read
 * apart: an own property of the SDK's event, a getter of the prepared one when the data is binary.
 */
function shape(event: object): [string, unknown][] {
  const e = event as Record<string, unknown>;
  const own = Object.getOwnPropertyNames(event).filter((name) => name !== 'data_base64');
  return [...own.map((name): [string, unknown] => [name, plain(e[name])]), ['data_base64', e.data_base64]];
}

function outcome<T>(build: () => T): { ok: T } | { error: string } {
  try {
    return { ok: build() };
  } catch (err) {
    return { error: err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err) };
  }
}

const data = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string(),
  fc.jsonValue(),
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ minLength: 8, maxLength: 64 }).map((b) => new Uint8Array(b.buffer, 3, b.length - 5)),
  fc.array(fc.integer({ min: -40000, max: 40000 }), { maxLength: 8 }).map((a) => Int16Array.from(a)),
);
const optionalText = fc.option(fc.string({ minLength: 1, maxLength: 12 }), { nil: undefined });
const attrs = fc
  .record(
    {
      id: optionalText,
      time: fc.option(fc.constantFrom('2026-11-26T01:02:03.004Z', '2026-11-26T01:02:03Z'), { nil: undefined }),
      type: fc.string({ minLength: 1, maxLength: 10 }),
      source: fc.constantFrom('/a/b', 'urn:x', 'https://example.com/s'),
      specversion: fc.option(fc.constantFrom('1.0', '0.3'), { nil: undefined }),
      datacontenttype: fc.option(fc.constantFrom('application/json', 'text/plain', 'application/octet-stream'), { nil: undefined }),
      subject: optionalText,
      dataschema: fc.option(fc.constant('https://example.com/schema'), { nil: undefined }),
      schemaurl: fc.option(fc.constant('https://example.com/old'), { nil: undefined }),
      datacontentencoding: fc.option(fc.constant('base64'), { nil: undefined }),
      data_base64: fc.option(fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b).toString('base64')), { nil: undefined }),
      data,
      extensions: fc.dictionary(fc.stringMatching(/^[a-zA-Z0-9]{1,8}$/), fc.oneof(fc.string(), fc.integer(), fc.boolean())),
    },
    { requiredKeys: ['type', 'source', 'data', 'extensions'] },
  )
  .map(({ extensions, ...rest }) => ({ ...extensions, ...rest }) as Record<string, unknown>);

describe('preparedEvent', () => {
  it('is what new CloudEvent(attrs, false) makes: class, own properties in order, values, frozen, errors', () => {
    fc.assert(
      fc.property(attrs, (a) => {
        // An id or time left out is random or the current time in both; fixed here so the two can be compared.
        const input = { ...a, id: a.id ?? 'fixed-id', time: a.time ?? '2026-01-01T00:00:00.000Z' };
        const sdk = outcome(() => sdkEvent(input));
        const ours = outcome(() => preparedEvent(input));
        if ('error' in sdk) {
          expect(ours).toEqual(sdk);
          return;
        }
        if ('error' in ours) throw new Error(`preparedEvent threw where the SDK did not: ${ours.error}`);
        expect(ours.ok).toBeInstanceOf(CloudEvent);
        expect(Object.isFrozen(ours.ok)).toBe(true);
        expect(shape(ours.ok)).toEqual(shape(sdk.ok));
      }),
      { numRuns: 2000 },
    );
  });

  it('serialises, encodes and clones as the SDK event does', () => {
    fc.assert(
      fc.property(attrs, (a) => {
        const input = { ...a, id: a.id ?? 'fixed-id', time: a.time ?? '2026-01-01T00:00:00.000Z', specversion: '1.0', schemaurl: undefined };
        const sdk = sdkEvent(input);
        const ours = preparedEvent(input);
        expect(JSON.stringify(ours)).toBe(JSON.stringify(sdk));
        // The binding may refuse an event (an extension named like an Object.prototype member trips the SDK's
        // header lookup; structured mode clones strictly): then both must be refused alike.
        const binary = [ours, sdk].map((e) => outcome(() => HTTP.binary(e))).map((m) => ('ok' in m ? { headers: m.ok.headers, body: plain(m.ok.body) } : m));
        expect(binary[0]).toEqual(binary[1]);
        expect(outcome(() => HTTP.structured(ours))).toEqual(outcome(() => HTTP.structured(sdk)));
        expect(shape(ours.cloneWith({ added: 'x' }, false))).toEqual(shape(sdk.cloneWith({ added: 'x' }, false)));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses bad base64 in data_base64 as the SDK does, even beside data', () => {
    for (const input of [{ data_base64: '%%%' }, { data_base64: '%%%', data: 'text' }]) {
      const attrs = { id: '1', type: 't', source: '/s', ...input };
      const sdk = outcome(() => sdkEvent(attrs));
      expect(sdk).toHaveProperty('error');
      expect(outcome(() => preparedEvent(attrs))).toEqual(sdk);
    }
  });

  it('fills in a missing id and time as the SDK does', () => {
    const e = preparedEvent({ type: 't', source: '/s' });
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Date.parse(e.time as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(e.specversion).toBe('1.0');
  });

  it('computes data_base64 of binary data only when it is read, from the data it holds', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const e = preparedEvent({ id: '1', type: 't', source: '/s', data: bytes });
    bytes[0] = 9; // the SDK would have encoded [1, 2, 3] at construction: the laziness is observable only this way
    expect(e.data_base64).toBe(Buffer.from([9, 2, 3]).toString('base64'));
    expect(e.data).toBe(bytes);
    expect(Object.getOwnPropertyNames(e)).not.toContain('data_base64');
  });
});
