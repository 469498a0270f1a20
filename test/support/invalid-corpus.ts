/**
 * The invalid-object corpus in test/fixtures/invalid/: one object per file, headed by what the apiserver
 * must answer (`# expect-path:`, `# expect-message:`) and which layer judges it (`# via: schema|webhook`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const corpusDir = fileURLToPath(new URL('../fixtures/invalid/', import.meta.url));

export interface CorpusCase {
  file: string;
  path: string;
  expectPath: string;
  expectMessage: string;
  via: 'schema' | 'webhook';
  object: { apiVersion: string; kind: string; metadata: { name: string }; spec?: unknown };
}

function header(text: string, key: string, file: string): string {
  const m = new RegExp(`^# ${key}: (.+)$`, 'm').exec(text);
  if (!m?.[1]) throw new Error(`${file}: missing "# ${key}:" header`);
  return m[1].trim();
}

export function loadCorpus(): CorpusCase[] {
  return readdirSync(corpusDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = readFileSync(`${corpusDir}${file}`, 'utf8');
      const via = header(text, 'via', file);
      if (via !== 'schema' && via !== 'webhook') throw new Error(`${file}: via must be schema or webhook, not ${via}`);
      return {
        file,
        path: `${corpusDir}${file}`,
        expectPath: header(text, 'expect-path', file),
        expectMessage: header(text, 'expect-message', file),
        via,
        object: parse(text) as CorpusCase['object'],
      };
    });
}
