import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyBinding, undoBinding } from '../../../../controller/binding/apply.js';

const envName = fc.constantFrom('A', 'B', 'K_SINK', 'K_CE_OVERRIDES', 'K_CA_CERTS', 'PORT');
const envVar = fc.record({ name: envName, value: fc.string({ maxLength: 8 }) });
const container = (name: string) =>
  fc.record({ name: fc.constant(name), image: fc.constant('img'), env: fc.option(fc.uniqueArray(envVar, { selector: (e) => e.name, maxLength: 5 }), { nil: undefined }) }).map((c) => {
    if (c.env === undefined) {
      const { env: _drop, ...rest } = c;
      return rest;
    }
    return c;
  });
const template: fc.Arbitrary<V1PodTemplateSpec> = fc
  .record({
    annotations: fc.option(fc.dictionary(fc.constantFrom('x', 'y'), fc.string({ maxLength: 4 })), { nil: undefined }),
    init: fc.boolean(),
    main: container('main'),
    side: fc.option(container('side'), { nil: undefined }),
  })
  .map(({ annotations, init, main, side }) => ({
    ...(annotations === undefined ? {} : { metadata: { annotations } }),
    spec: {
      ...(init ? { initContainers: [{ name: 'init', image: 'i' }] } : {}),
      containers: side === undefined ? [main] : [main, side],
    },
  }));
const bindingEnv = fc.record(
  {
    sinkUri: fc.webUrl(),
    ceOverrides: fc.record({ extensions: fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.string({ maxLength: 5 })) }),
    caCerts: fc.string({ minLength: 1, maxLength: 10 }),
  },
  { requiredKeys: ['sinkUri'] },
);

describe('binding apply/undo properties', () => {
  it('undo(apply(t)) restores t exactly, for any template and env', () => {
    fc.assert(
      fc.property(template, bindingEnv, (t, env) => {
        expect(undoBinding(applyBinding(t, env, 'o'))).toEqual(t);
      }),
    );
  });

  it('apply is idempotent and a second env replaces the first without residue', () => {
    fc.assert(
      fc.property(template, bindingEnv, bindingEnv, (t, e1, e2) => {
        const once = applyBinding(t, e1, 'o');
        expect(applyBinding(once, e1, 'o')).toEqual(once);
        expect(applyBinding(once, e2, 'o')).toEqual(applyBinding(t, e2, 'o'));
      }),
    );
  });

  it('every container carries K_SINK exactly once after apply', () => {
    fc.assert(
      fc.property(template, bindingEnv, (t, env) => {
        const bound = applyBinding(t, env, 'o');
        for (const c of [...(bound.spec?.initContainers ?? []), ...(bound.spec?.containers ?? [])]) {
          expect((c.env ?? []).filter((e) => e.name === 'K_SINK')).toEqual([{ name: 'K_SINK', value: env.sinkUri }]);
        }
      }),
    );
  });
});
