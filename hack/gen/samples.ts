import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

const samplesDir = fileURLToPath(new URL('../../samples/sources/', import.meta.url));

/** kind → the YAML text of its sample in samples/sources/. */
export function loadSampleTexts(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of readdirSync(samplesDir).sort()) {
    if (!file.endsWith('.yaml')) continue;
    const text = readFileSync(`${samplesDir}${file}`, 'utf8');
    const kind = (parseDocument(text).toJS() as { kind?: unknown }).kind;
    if (typeof kind === 'string') out.set(kind, text);
  }
  return out;
}
