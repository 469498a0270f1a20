/**
 * TypeBox (JSON Schema 2020-12 flavoured) → Kubernetes structural OpenAPI v3. What the apiserver forbids
 * or does not know is dropped or rewritten: `$ref`/`$defs` are inlined (cycles unrolled to a fixed depth),
 * `const`/`anyOf` of consts become `enum`, `patternProperties` becomes `additionalProperties`.
 */
import { HeadwaterError } from '../../lib/errors.js';

export type JsonSchema = { [key: string]: unknown };

export class SchemaConversionError extends HeadwaterError {
  constructor(path: string, problem: string) {
    super('SchemaConversionError', `${path}: ${problem}`, { path });
  }
}

/** Keys a structural schema may carry (apiextensions.k8s.io/v1 JSONSchemaProps, minus what we never use). */
const KEPT_KEYS = new Set([
  'type',
  'format',
  'title',
  'description',
  'default',
  'enum',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'required',
  'nullable',
  'example',
]);

const RECURSE_KEYS = new Set(['properties', 'items', 'additionalProperties', 'patternProperties', '$defs', '$ref', 'anyOf', 'const']);

export interface ConvertOptions {
  /** How many times one `$ref` may be entered on one path before the property is left out. */
  maxRefDepth: number;
}

function isObject(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns undefined when the schema is a cycle cut off at the depth limit (the caller drops that field). */
export function toStructural(schema: JsonSchema, opts: ConvertOptions): JsonSchema {
  const out = convert(schema, '', {}, new Map(), opts);
  if (out === undefined) throw new SchemaConversionError('(root)', 'the root schema is a cut-off cycle');
  return out;
}

function convert(
  schema: JsonSchema,
  path: string,
  defs: Record<string, JsonSchema>,
  refDepth: ReadonlyMap<string, number>,
  opts: ConvertOptions,
): JsonSchema | undefined {
  let scope = defs;
  if (isObject(schema.$defs)) {
    scope = { ...defs };
    for (const [name, def] of Object.entries(schema.$defs)) {
      if (isObject(def)) scope[name] = def;
    }
  }

  if (typeof schema.$ref === 'string') {
    const name = schema.$ref;
    const target = scope[name];
    if (!target) throw new SchemaConversionError(path || '(root)', `unresolved $ref ${name}`);
    const depth = (refDepth.get(name) ?? 0) + 1;
    if (depth > opts.maxRefDepth) return undefined;
    const next = new Map(refDepth);
    next.set(name, depth);
    // Options next to the $ref (description, …) win over the target's.
    const { $ref: _ref, $defs: _defs, ...siblings } = schema;
    return convert({ ...target, ...siblings }, path, scope, next, opts);
  }

  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (KEPT_KEYS.has(key) || key.startsWith('x-kubernetes-')) out[key] = value;
    else if (!RECURSE_KEYS.has(key) && key !== '$id' && key !== 'examples' && key !== 'additionalProperties') {
      throw new SchemaConversionError(path || '(root)', `keyword ${key} has no structural equivalent`);
    }
  }

  if ('const' in schema) {
    out.enum = [schema.const];
    if (out.type === undefined) out.type = typeof schema.const;
  }

  if (Array.isArray(schema.anyOf)) {
    const consts = schema.anyOf.filter(isObject).map((s) => s.const);
    if (consts.length !== schema.anyOf.length || consts.some((c) => c === undefined)) {
      throw new SchemaConversionError(path || '(root)', 'anyOf is only supported as a union of literals');
    }
    out.enum = consts;
    out.type = typeof consts[0];
  }

  if (isObject(schema.properties)) {
    const props: JsonSchema = {};
    const cut: string[] = [];
    for (const [name, sub] of Object.entries(schema.properties)) {
      if (!isObject(sub)) continue;
      const converted = convert(sub, `${path}.${name}`, scope, refDepth, opts);
      if (converted === undefined) cut.push(name);
      else props[name] = converted;
    }
    out.properties = props;
    if (Array.isArray(out.required)) {
      const required = (out.required as string[]).filter((r) => !cut.includes(r));
      if (required.length > 0) out.required = required;
      else delete out.required;
    }
    if (cut.length > 0) {
      // A rule may mention a field that no longer exists at this depth: `has(self.all)` would not compile.
      out['x-kubernetes-validations'] = rewriteRulesForCut(out['x-kubernetes-validations'], cut);
    }
  }

  if (isObject(schema.items)) {
    const items = convert(schema.items, `${path}[]`, scope, refDepth, opts);
    if (items === undefined) return undefined;
    out.items = items;
  }

  if (isObject(schema.patternProperties)) {
    const entries = Object.values(schema.patternProperties).filter(isObject);
    if (entries.length !== 1) throw new SchemaConversionError(path || '(root)', 'only one patternProperties entry is supported');
    const value = convert(entries[0] as JsonSchema, `${path}[*]`, scope, refDepth, opts);
    if (value === undefined) return undefined;
    out.additionalProperties = value;
  }

  if (isObject(schema.additionalProperties)) {
    const value = convert(schema.additionalProperties, `${path}[*]`, scope, refDepth, opts);
    if (value === undefined) return undefined;
    out.additionalProperties = value;
  }

  if (out.type === undefined) {
    throw new SchemaConversionError(path || '(root)', 'every node of a structural schema needs a type');
  }
  return out;
}

/** Drops `has(self.X)` terms for fields cut at the depth limit from list-style "exactly one of" rules. */
function rewriteRulesForCut(rules: unknown, cut: string[]): unknown {
  if (!Array.isArray(rules)) return rules;
  return rules.map((r) => {
    if (!isObject(r) || typeof r.rule !== 'string') return r;
    let rule = r.rule;
    for (const name of cut) rule = rule.replaceAll(`, has(self.${name})`, '').replaceAll(`has(self.${name}), `, '');
    return { ...r, rule };
  });
}
