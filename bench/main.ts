/**
 * `npm run bench [-- --quick] [-- --only NAME[,NAME…]]`: builds the project into a private folder, runs the
 * benchmarks against the local environment (hack/env.sh), prints one table and writes bench/results.json.
 * Every figure is printed beside the reference measured in the same run; see bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchmarks } from './registry.js';
import { renderTable, type Row } from './lib/table.js';
import type { BenchContext } from './lib/types.js';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

function build(distDir: string, log: (m: string) => void): void {
  // A private outDir: other work in this checkout may be using dist/ at the same time. tsc emits even when some
  // file elsewhere does not type-check (work in progress next door); that is reported, not fatal.
  try {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', distDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    const out = (err as { stdout?: Buffer }).stdout?.toString('utf8') ?? '';
    log(`build reported type errors (emitted anyway):\n${out.split('\n').slice(0, 10).join('\n')}`);
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      /** Run against another compiled tree (implies --no-build): A/B runs of an optimisation. */
      dist: { type: 'string' },
    },
  });
  const names = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = (names ?? []).filter((n) => !benchmarks.some((b) => b.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s) ${unknown.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}\n`);
    return 2;
  }
  const selected = names ? benchmarks.filter((b) => names.includes(b.name)) : benchmarks;
  const distDir = values.dist ?? join(repoRoot, '.headwater', 'bench-dist');
  const log = (m: string): void => {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);
  };
  if (!values['no-build'] && values.dist === undefined) {
    log(`building into ${distDir}`);
    build(distDir, log);
  }
  const ctx: BenchContext = { quick: values.quick, distDir, log };
  const startedAt = new Date();
  const load = loadavg();
  const rows: Row[] = [];
  const timings: Record<string, number> = {};
  for (const b of selected) {
    log(`${b.name}: ${b.title}${ctx.quick ? ' (quick)' : ''}`);
    const t0 = performance.now();
    try {
      const got = await b.run(ctx);
      rows.push(...got);
    } catch (err) {
      log(`${b.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      rows.push({ bench: b.name, metric: 'run', value: undefined, unit: '', met: false, note: `failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` });
    }
    timings[b.name] = (performance.now() - t0) / 1000;
    log(`${b.name}: done in ${timings[b.name]?.toFixed(1)} s`);
  }
  const header = `Headwater benchmarks — ${startedAt.toISOString()} — ${ctx.quick ? 'quick' : 'full'} — node ${process.version}, ${cpus().length} CPUs, load average at start ${load.map((l) => l.toFixed(2)).join(' ')}`;
  process.stdout.write(`${header}\n\n${renderTable(rows)}\n`);
  writeFileSync(
    join(repoRoot, 'bench', 'results.json'),
    `${JSON.stringify({ startedAt: startedAt.toISOString(), quick: ctx.quick, node: process.version, cpus: cpus().length, loadAverageAtStart: load, secondsPerBenchmark: timings, rows }, null, 2)}\n`,
  );
  return rows.some((r) => r.metric === 'run' && r.value === undefined) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
