/**
 * No docker engine runs here, so the image is checked as far as the machine allows: the Dockerfile's
 * entrypoints must run exactly the files of the runner's image table, those files must be what
 * `npm run build` emits from sources the build stage copies, and the role dispatcher in the image must
 * turn `args` into the same command line the runner starts (run with a stand-in `node` that echoes).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decideLaunch, defaultImageTable, type ProgramImage, type RoleImage } from '../../../hack/runner/image-table.js';

const root = resolve(import.meta.dirname, '..', '..', '..');
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const table = defaultImageTable('headwater/headwater:*');
const roleImage = table.find((e): e is RoleImage => e.kind === 'roles')!;
const programs = table.filter((e): e is ProgramImage => e.kind === 'program');

interface Stage {
  name: string;
  lines: string[];
}

function stages(text: string): Stage[] {
  const out: Stage[] = [];
  for (const line of text.split('\n')) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ name: from[1] ?? '', lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

function instruction(stage: Stage, name: string): string[] | undefined {
  const line = stage.lines.find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : (JSON.parse(line.slice(name.length + 1)) as string[]);
}

/** The dispatcher script the Dockerfile writes with a heredoc. */
function dispatcherScript(): string {
  const m = /COPY --chmod=0755 <<'EOF' \/usr\/local\/bin\/(\S+)\n([\s\S]*?)\nEOF\n/.exec(dockerfile);
  if (!m) throw new Error('Dockerfile writes no dispatcher script');
  expect(m[1]).toBe(roleImage.dispatcher);
  return m[2] as string;
}

/** Every `dist/X.js` the image runs is what tsc emits for `X.ts` (rootDir ".", outDir "dist"). */
function sourceOf(file: string): string {
  expect(file).toMatch(/^dist\/.+\.js$/);
  return `${file.slice('dist/'.length, -'.js'.length)}.ts`;
}

describe('Dockerfile', () => {
  const all = stages(dockerfile);
  const last = all.at(-1)!;

  it('builds on node:20-slim, runs as the unprivileged node user, and defaults to the controller', () => {
    const bases = dockerfile.split('\n').filter((l) => l.startsWith('FROM ')).map((l) => l.split(/\s+/)[1]);
    const stageNames = all.map((s) => s.name);
    // Every stage starts from node:20-slim or from an earlier stage of this file.
    for (const base of bases) expect(base === 'node:20-slim' || stageNames.includes(base ?? '')).toBe(true);
    expect(bases.filter((b) => b === 'node:20-slim')).toHaveLength(2);
    const runtime = all.find((s) => s.name === 'runtime')!;
    expect(runtime.lines).toContain('USER node');
    expect(runtime.lines.some((l) => l.includes('npm ci --omit=dev'))).toBe(true);
    expect(all.find((s) => s.name === 'build')!.lines).toContain('RUN npm run build');
    expect(instruction(last, 'ENTRYPOINT')).toEqual([roleImage.dispatcher]);
    expect(instruction(last, 'CMD')).toEqual(roleImage.defaultArgs);
  });

  it('gives each program image of the table a target that runs the same file', () => {
    for (const p of programs) {
      const target = p.image.split('/').at(-1)!.split(':')[0]!;
      const stage = all.find((s) => s.name === target);
      expect(stage, `stage ${target}`).toBeDefined();
      expect(instruction(stage!, 'ENTRYPOINT')).toEqual(['node', p.file]);
    }
  });

  it('copies into the build stage the sources of every entry file, which tsconfig.build compiles', () => {
    const build = all.find((s) => s.name === 'build')!;
    const copied = build.lines.filter((l) => /^COPY \w+ \w+$/.test(l)).map((l) => l.split(' ')[1]);
    const include = (JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] }).include;
    const files = new Set([...Object.values(roleImage.roles).map((r) => r.file), ...programs.map((p) => p.file)]);
    for (const file of files) {
      const source = sourceOf(file);
      const top = source.split('/')[0]!;
      expect(copied, `build stage copies ${top}/`).toContain(top);
      expect(include, `tsconfig.build.json includes ${top}`).toContain(top);
      expect(existsSync(join(root, source)), `${source} exists`).toBe(true);
    }
  });

  it("dispatches args to the same command line as the runner's image table", () => {
    const dir = mkdtempSync(join(tmpdir(), 'hw-dispatch-'));
    // A stand-in for node that prints what it was asked to run; /app stands for the image's WORKDIR.
    writeFileSync(join(dir, 'node'), '#!/bin/sh\nprintf "%s\\n" "$@"\n');
    chmodSync(join(dir, 'node'), 0o755);
    const script = join(dir, 'headwater');
    writeFileSync(script, dispatcherScript().replace('cd /app', `cd ${dir}`));
    const cases: string[][] = [['controller'], ['controller', '--leader-elect=false'], ['cron', '--file', 'x.json'], ['kafka'], ['redisstream'], ['trigger']];
    for (const args of cases) {
      const printed = execFileSync('sh', [script, ...args], { env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: 'utf8' }).trimEnd().split('\n');
      const decided = decideLaunch(table, { image: 'headwater/headwater:dev', args });
      expect(decided.ok).toBe(true);
      if (decided.ok) expect(printed).toEqual([decided.launch.file, ...decided.launch.args]);
    }
    const roles = Object.keys(roleImage.roles).sort();
    expect(cases.map((c) => c[0]).filter((r, i, a) => a.indexOf(r) === i).sort()).toEqual(roles);
  });
});
