/**
 * Every object in test/fixtures/invalid/ is created against the real apiserver (CRDs applied, the webhook
 * registered) and must be rejected with its expected field path and message.
 */
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../support/invalid-corpus.js';
import { applyCrds, createNamespace, deleteNamespace, kubectl, registerTestWebhook, uniqueName } from './kube.js';

const corpus = loadCorpus();
const namespace = uniqueName('hw-api-corpus');
let webhook: Awaited<ReturnType<typeof registerTestWebhook>> | undefined;

interface Outcome {
  file: string;
  rejected: boolean;
  rightPath: boolean;
  rightMessage: boolean;
  stderr: string;
}
const outcomes: Outcome[] = [];

/** The path as the apiserver prints a field: at a line/word start, followed by ":" (or `"` in "unknown field"). */
function namesPath(stderr: string, path: string): boolean {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[\\s"*])${escaped}[:"]`, 'm').test(stderr);
}

beforeAll(async () => {
  await applyCrds();
  await createNamespace(namespace);
  webhook = await registerTestWebhook();
});

afterAll(async () => {
  await webhook?.stop();
  await deleteNamespace(namespace);
  const rejected = outcomes.filter((o) => o.rejected).length;
  const right = outcomes.filter((o) => o.rejected && o.rightPath && o.rightMessage).length;
  process.stdout.write(
    `invalid corpus: ${right}/${outcomes.length} rejected with the right field path and message (${rejected}/${outcomes.length} rejected at all)\n`,
  );
  for (const o of outcomes.filter((x) => !(x.rejected && x.rightPath && x.rightMessage))) {
    process.stdout.write(`  MISS ${o.file}: ${o.stderr.trim() || '(accepted)'}\n`);
  }
});

describe('the real apiserver rejects every invalid object', () => {
  it('has at least 40 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
  });

  for (const c of corpus) {
    it(`${c.file} (${c.via}): ${c.expectPath}: ${c.expectMessage}`, async () => {
      // kubectl's default --validate=strict asks the server to reject unknown fields, as a user would see.
      const result = await kubectl(['create', '-n', namespace, '-f', '-'], stringify(c.object));
      if (result.code === 0) {
        // Do not leave an accepted object behind (cluster-scoped ones would outlive the namespace).
        await kubectl(['delete', '-n', namespace, '-f', '-', '--ignore-not-found'], stringify(c.object));
      }
      const stderr = result.stderr;
      const outcome: Outcome = {
        file: c.file,
        rejected: result.code !== 0,
        rightPath: namesPath(stderr, c.expectPath),
        rightMessage: stderr.includes(c.expectMessage),
        stderr,
      };
      outcomes.push(outcome);
      expect(outcome.rejected, `${c.file} was accepted`).toBe(true);
      expect(namesPath(stderr, c.expectPath), `${c.expectPath} not named as a field in: ${stderr}`).toBe(true);
      expect(stderr).toContain(c.expectMessage);
      if (c.via === 'webhook') expect(stderr).toContain('admission webhook "validation.headwater.dev" denied the request');
    });
  }
});
