import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { MAX_FILTER_DEPTH } from '../../../api/eventing/filter.js';
import { KINDS } from '../../../api/kinds.js';
import { StringEnum } from '../../../api/schema-helpers.js';
import { buildCrd } from '../../../hack/gen/crd-builder.js';
import { type JsonSchema, SchemaConversionError, toStructural } from '../../../hack/gen/structural-schema.js';

const opts = { maxRefDepth: 3 };

/** Walks every node of a converted schema. */
function walk(node: JsonSchema, visit: (n: JsonSchema, path: string) => void, path = ''): void {
  visit(node, path);
  const props = node.properties as Record<string, JsonSchema> | undefined;
  for (const [k, v] of Object.entries(props ?? {})) walk(v, visit, `${path}.${k}`);
  if (node.items) walk(node.items as JsonSchema, visit, `${path}[]`);
  if (typeof node.additionalProperties === 'object') walk(node.additionalProperties as JsonSchema, visit, `${path}[*]`);
}

describe('toStructural', () => {
  it('turns a union of literals into a typed enum', () => {
    const s = toStructural(Type.Object({ a: Type.Union([Type.Literal('x'), Type.Literal('y')]) }) as never, opts);
    expect((s.properties as Record<string, JsonSchema>).a).toEqual({ type: 'string', enum: ['x', 'y'] });
  });

  it('keeps StringEnum defaults and x-kubernetes keys', () => {
    const s = toStructural(
      Type.Object({ a: StringEnum(['p', 'q'] as const, { default: 'q', 'x-kubernetes-validations': [{ rule: 'true', message: 'm' }] }) }) as never,
      opts,
    );
    expect((s.properties as Record<string, JsonSchema>).a).toEqual({
      type: 'string',
      enum: ['p', 'q'],
      default: 'q',
      'x-kubernetes-validations': [{ rule: 'true', message: 'm' }],
    });
  });

  it('rewrites Type.Record to additionalProperties', () => {
    const s = toStructural(Type.Record(Type.String(), Type.Integer()) as never, opts);
    expect(s).toEqual({ type: 'object', additionalProperties: { type: 'integer' } });
  });

  it('rejects keywords with no structural equivalent, naming the path', () => {
    expect(() => toStructural(Type.Object({ a: Type.Object({ b: Type.Unsafe({ type: 'string', not: { const: 'x' } }) }) }) as never, opts)).toThrow(
      SchemaConversionError,
    );
    expect(() => toStructural(Type.Object({ a: Type.Union([Type.String(), Type.Number()]) }) as never, opts)).toThrow(/\.a: anyOf/);
  });

  it('unrolls a cycle to the depth limit and drops the cut fields from rules', () => {
    const Node = Type.Cyclic(
      {
        Node: Type.Object(
          { v: Type.Optional(Type.String()), next: Type.Optional(Type.Ref('Node')) },
          { 'x-kubernetes-validations': [{ rule: '[has(self.v), has(self.next)].filter(x, x).size() == 1', message: 'one' }] },
        ),
      },
      'Node',
    );
    const s = toStructural(Node as never, { maxRefDepth: 2 });
    const level2 = (s.properties as Record<string, JsonSchema>).next as JsonSchema;
    expect(Object.keys(level2.properties as object)).toEqual(['v']);
    expect(level2['x-kubernetes-validations']).toEqual([{ rule: '[has(self.v)].filter(x, x).size() == 1', message: 'one' }]);
  });
});

describe('generated CRDs', () => {
  for (const k of KINDS) {
    const crd = buildCrd(k);
    const version = (crd.spec as { versions: JsonSchema[] }).versions[0] as JsonSchema;
    const schema = (version.schema as { openAPIV3Schema: JsonSchema }).openAPIV3Schema;

    it(`${k.kind}: every node is typed, no $ref, maps and strings under CEL are bounded`, () => {
      const problems: string[] = [];
      walk(schema, (n, path) => {
        if (typeof n.type !== 'string') problems.push(`${path}: no type`);
        for (const key of Object.keys(n)) if (key.startsWith('$')) problems.push(`${path}: ${key}`);
        const rules = n['x-kubernetes-validations'] as { rule: string }[] | undefined;
        if (rules?.some((r) => r.rule.includes('self.all(') || r.rule.includes('self.exists(')) && n.maxProperties === undefined) {
          problems.push(`${path}: CEL over a map without maxProperties`);
        }
      });
      expect(problems).toEqual([]);
    });

    it(`${k.kind}: status subresource, printer columns, names`, () => {
      expect(version.subresources).toEqual({ status: {} });
      const columns = (version.additionalPrinterColumns as { name: string }[]).map((c) => c.name);
      expect(columns).toEqual(expect.arrayContaining(['Ready', 'Reason', 'Age']));
      if (k.isSource) expect(columns).toContain('Sink');
      expect(k.shortNames.length).toBeGreaterThan(0);
      expect(k.categories.length).toBeGreaterThan(0);
    });

    if (k.isSource) {
      it(`${k.kind}: carries the kn discovery labels and the eventTypes annotation`, () => {
        const meta = crd.metadata as { labels: Record<string, string>; annotations?: Record<string, string> };
        expect(meta.labels['duck.knative.dev/source']).toBe('true');
        expect(meta.labels['eventing.knative.dev/source']).toBe('true');
        const eventTypes = JSON.parse(meta.annotations?.['registry.knative.dev/eventTypes'] ?? 'null');
        expect(Array.isArray(eventTypes)).toBe(true);
        expect(eventTypes).toEqual(k.eventTypes);
      });
    }
  }

  it('Trigger filters nest exactly MAX_FILTER_DEPTH levels', () => {
    const crd = buildCrd(KINDS.find((k) => k.kind === 'Trigger')!);
    let node = (
      ((crd.spec as { versions: JsonSchema[] }).versions[0]!.schema as { openAPIV3Schema: JsonSchema }).openAPIV3Schema
        .properties as Record<string, JsonSchema>
    ).spec!;
    node = ((node.properties as Record<string, JsonSchema>).filters!.items as JsonSchema)!;
    let depth = 1;
    while ((node.properties as Record<string, JsonSchema>).not) {
      node = (node.properties as Record<string, JsonSchema>).not!;
      depth++;
    }
    expect(depth).toBe(MAX_FILTER_DEPTH);
  });
});
