/** Writes docs/api.md from the schemas in api/ and the samples in samples/sources/. Run: `npm run gen`. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderApiDocs } from './api-docs-builder.js';
import { loadSampleTexts } from './samples.js';

const out = fileURLToPath(new URL('../../docs/api.md', import.meta.url));
writeFileSync(out, renderApiDocs(loadSampleTexts()));
process.stdout.write(`wrote ${out}\n`);
