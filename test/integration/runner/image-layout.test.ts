/**
 * The image, as far as a machine without a docker engine can check it: `npm run build`'s compiler run
 * into an image-like folder (package.json + dist/, modules resolved from the checkout's node_modules as
 * the image's `npm ci --omit=dev` provides them), then the Dockerfile's own entrypoints — the role
 * dispatcher it writes and the event-display ENTRYPOINT — started with the real node. Each must reach
 * the program the runner's image table names (seen by what that program itself prints).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultImageTable, type ProgramImage, type RoleImage } from '../../../hack/runner/image-table.js';
import { testEnv } from '../../support/env.js';

const root = testEnv.repoRoot;
const app = join(root, '.headwater', 'image-check', `${process.pid}-${Date.now()}`);
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const table = defaultImageTable('headwater/headwater:*');
const roleImage = table.find((e): e is RoleImage => e.kind === 'roles')!;
const eventDisplay = table.find((e): e is ProgramImage => e.kind === 'program' && e.image.startsWith('headwater/event-display'))!;

function dispatcher(): string {
  const m = /COPY --chmod=0755 <<'EOF' \/usr\/local\/bin\/\S+\n([\s\S]*?)\nEOF\n/.exec(dockerfile);
  if (!m) throw new Error('Dockerfile writes no dispatcher script');
  // The image's WORKDIR is /app; here it is the image-like folder.
  return (m[1] as string).replace('cd /app', `cd '${app}'`);
}

/** Runs the dispatcher like the image's ENTRYPOINT would, bounded so a program that does start cannot hang the test. */
function runDispatcher(args: string[], env: Record<string, string>): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync('sh', [join(app, 'headwater'), ...args], {
    env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

function firstJson(text: string): Record<string, unknown> {
  const line = text.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no JSON log line in: ${text}`);
  return JSON.parse(line) as Record<string, unknown>;
}

beforeAll(() => {
  mkdirSync(app, { recursive: true });
  copyFileSync(join(root, 'package.json'), join(app, 'package.json'));
  // What `npm run build` runs (tsc -p tsconfig.build.json), pointed at the image-like folder.
  execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'tsconfig.build.json'), '--outDir', join(app, 'dist')], { cwd: root, stdio: 'pipe' });
  writeFileSync(join(app, 'headwater'), dispatcher());
}, 180_000);

afterAll(() => {
  rmSync(app, { recursive: true, force: true });
});

describe('the image layout built by npm run build', () => {
  it('holds every entry file of the image table', () => {
    const files = [...new Set([...Object.values(roleImage.roles).map((r) => r.file), eventDisplay.file])];
    for (const f of files) expect(existsSync(join(app, f)), f).toBe(true);
  });

  it('dispatches an adapter role to the adapter program with that role', () => {
    // A bad PORT makes the adapter stop at once, after saying who it is.
    const r = runDispatcher(['cron'], { PORT: 'not-a-port' });
    expect(r.status).toBe(1);
    expect(firstJson(r.stderr)).toMatchObject({ component: 'adapter', code: 'ConfigError', variable: 'PORT' });
  });

  it('dispatches the controller role (the default CMD) to the controller program', () => {
    const r = runDispatcher(roleImage.defaultArgs, { METRICS_PORT: 'not-a-port', HEADWATER_ADAPTER_IMAGE: 'headwater/headwater:dev' });
    const log = firstJson(r.stdout + r.stderr);
    expect(log).toMatchObject({ component: 'controller' });
    expect(JSON.stringify(log)).toContain('METRICS_PORT');
  });

  it('runs the event-display ENTRYPOINT as a function serving on POD_IP', async () => {
    const entry = /FROM runtime AS event-display\nENTRYPOINT (\[.*\])/.exec(dockerfile);
    const argv = JSON.parse(entry?.[1] ?? '[]') as string[];
    expect(argv).toEqual(['node', eventDisplay.file]);
    const child = spawn(process.execPath, argv.slice(1), { cwd: app, env: { PATH: process.env.PATH ?? '', POD_IP: '127.0.0.1', PORT: '0' } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /"url":"([^"]+)"/.exec(out);
          if (m) resolve(m[1] as string);
        });
        child.once('exit', (code) => reject(new Error(`event-display exited with ${code}: ${out}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
      const res = await fetch(new URL('/events', url));
      expect(res.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
