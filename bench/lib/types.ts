/** What every benchmark module exports and what the harness hands it. */
import type { Row } from './table.js';

export interface BenchContext {
  /** --quick: scaled-down counts, every benchmark under 60 s. */
  quick: boolean;
  /** Folder of the compiled project (adapter/main.js, bench/workers/*.js) that child processes run. */
  distDir: string;
  /** Progress lines on stderr, so stdout keeps only the table. */
  log(message: string): void;
}

export interface Benchmark {
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<Row[]>;
}
