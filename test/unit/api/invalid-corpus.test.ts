/**
 * The corpus itself, checked without a cluster: it is big enough and covers every kind, and each
 * webhook-judged case passes the schema (else the apiserver would reject it before the webhook sees it)
 * and gets exactly the expected field path from the validators. The apiserver run is in
 * test/integration/api/invalid-corpus.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { findKind, KINDS } from '../../../api/kinds.js';
import { formatFieldError, shapeErrors, validateObject } from '../../../api/validation/index.js';
import { loadCorpus } from '../../support/invalid-corpus.js';

const corpus = loadCorpus();

describe('invalid corpus', () => {
  it('has at least 40 cases covering every kind', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    expect(new Set(corpus.map((c) => c.object.kind))).toEqual(new Set(KINDS.map((k) => k.kind)));
  });

  for (const c of corpus.filter((x) => x.via === 'webhook')) {
    it(`${c.file}: passes the schema and is rejected by the webhook validators at ${c.expectPath}`, () => {
      const kind = findKind(c.object.apiVersion.split('/')[0]!, c.object.kind)!;
      expect(shapeErrors(kind, c.object)).toEqual([]);
      const errors = validateObject(kind, c.object, 'hw-corpus');
      expect(errors.map((e) => e.path)).toContain(c.expectPath);
      expect(errors.map(formatFieldError).join('\n')).toContain(c.expectMessage);
    });
  }
});
