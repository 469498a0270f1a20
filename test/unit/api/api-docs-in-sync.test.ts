import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../../api/kinds.js';
import { renderApiDocs } from '../../../hack/gen/api-docs-builder.js';
import { loadSampleTexts } from '../../../hack/gen/samples.js';

const docPath = fileURLToPath(new URL('../../../docs/api.md', import.meta.url));

describe('docs/api.md is generated from api/', () => {
  const text = renderApiDocs(loadSampleTexts());

  it('matches the schema (run `npm run gen` when this fails)', () => {
    expect(readFileSync(docPath, 'utf8')).toBe(text);
  });

  it('documents every kind with an example and the defaults', () => {
    for (const k of KINDS) {
      const section = text.split(`\n## ${k.kind}\n`)[1]?.split('\n## ')[0] ?? '';
      expect(section, k.kind).toContain('```yaml');
      expect(section, k.kind).toContain(`kind: ${k.kind}`);
    }
    expect(text).toMatch(/\| `spec.initialOffset` \| string \| {2}\| `"latest"` \|/);
    expect(text).toMatch(/\| `spec.delivery.retry` \| integer \| {2}\| `3` \|/);
  });
});
