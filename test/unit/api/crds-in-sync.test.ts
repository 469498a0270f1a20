/** The "check in the test command": crds/ must be exactly what the schemas in api/ generate. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderCrds } from '../../../hack/gen/crd-builder.js';

const crdDir = fileURLToPath(new URL('../../../crds/', import.meta.url));

describe('crds/ is generated from api/', () => {
  const generated = renderCrds();

  it('has one file per kind and no stale files', () => {
    const onDisk = readdirSync(crdDir).filter((f) => f.endsWith('.yaml')).sort();
    expect(onDisk).toEqual([...generated.keys()].sort());
  });

  for (const [name, text] of generated) {
    it(`${name} matches the schema (run \`npm run gen\` when this fails)`, () => {
      expect(readFileSync(`${crdDir}${name}`, 'utf8')).toBe(text);
    });
  }
});
