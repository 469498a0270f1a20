import { type Static, Type } from 'typebox';
import { StringMap } from '../schema-helpers.js';

/** Filters nest (all/any/not); the CRD unrolls the cycle to this depth, counting the top-level filter as 1. */
export const MAX_FILTER_DEPTH = 3;

const attributeMap = (what: string) =>
  StringMap({
    maxProperties: 16,
    maxValueLength: 1024,
    description: `CloudEvents attribute name → value; matches when every attribute ${what}.`,
    'x-kubernetes-validations': [
      {
        rule: "self.all(k, k.matches('^[a-z0-9]{1,20}$'))",
        message: 'keys must be CloudEvents attribute names (^[a-z0-9]{1,20}$)',
      },
    ],
  });

/** Knative's "new trigger filters" dialect: each filter object uses exactly one of its keys. */
export const FilterSchema = Type.Cyclic(
  {
    Filter: Type.Object(
      {
        exact: Type.Optional(attributeMap('equals the value')),
        prefix: Type.Optional(attributeMap('starts with the value')),
        suffix: Type.Optional(attributeMap('ends with the value')),
        all: Type.Optional(Type.Array(Type.Ref('Filter'), { maxItems: 8, description: 'Matches when every filter matches.' })),
        any: Type.Optional(Type.Array(Type.Ref('Filter'), { maxItems: 8, description: 'Matches when any filter matches.' })),
        not: Type.Optional(Type.Ref('Filter')),
      },
      {
        description: 'A CloudEvents attribute filter: exactly one of exact, prefix, suffix, all, any, not.',
        'x-kubernetes-validations': [
          {
            rule: '[has(self.exact), has(self.prefix), has(self.suffix), has(self.all), has(self.any), has(self.not)].filter(x, x).size() == 1',
            message: 'a filter needs exactly one of exact, prefix, suffix, all, any, not',
          },
        ],
      },
    ),
  },
  'Filter',
);
export type Filter = Static<typeof FilterSchema>;
