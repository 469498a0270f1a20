/** Writes crds/*.yaml from the schemas in api/. Run: `npm run gen` (or `npx tsx hack/gen/crds.ts`). */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderCrds } from './crd-builder.js';

const dir = fileURLToPath(new URL('../../crds/', import.meta.url));
mkdirSync(dir, { recursive: true });
const files = renderCrds();
// A kind that was removed must not leave a stale CRD behind.
for (const name of readdirSync(dir)) {
  if (name.endsWith('.yaml') && !files.has(name)) rmSync(join(dir, name));
}
for (const [name, text] of files) writeFileSync(join(dir, name), text);
process.stdout.write(`wrote ${files.size} CRDs to ${dir}\n`);
