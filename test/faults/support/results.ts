/**
 * Every fault test writes what it saw (events sent, delivered, dead-lettered, duplicated, lost; inputs tried)
 * to test/faults/.results/<file>.json, so docs/reliability.md is rendered from the suite's own output
 * (test/faults/render.ts) and never typed in by hand.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const resultsDir = fileURLToPath(new URL('../.results/', import.meta.url));

export interface DeliveryFigures {
  sent: number;
  delivered: number;
  deadLettered: number;
  /** Ids that arrived more than once (sink and dead-letter sink together). */
  duplicatedIds: number;
  /** Extra copies beyond the first, summed over the duplicated ids. */
  extraCopies: number;
  lost: number;
}

export interface ResultRow {
  /** The section of docs/reliability.md (e.g. "Sink faults"). */
  area: string;
  /** What was broken, e.g. "sink answers 429 with Retry-After: 1". */
  fault: string;
  figures?: DeliveryFigures;
  /** Other figures (inputs tried, RSS, objects left) as name → value. */
  measures?: Record<string, number | string>;
  /** What the test asserted, in words. */
  expectation: string;
  passed: boolean;
  seconds: number;
  recordedAt: string;
}

function fileFor(file: string): string {
  return `${resultsDir}${file}.json`;
}

/** Append one row to the file's results (a file per test file; rows keyed by fault replace older ones). */
export function record(file: string, row: Omit<ResultRow, 'recordedAt'>): void {
  mkdirSync(resultsDir, { recursive: true });
  let rows: ResultRow[] = [];
  try {
    rows = JSON.parse(readFileSync(fileFor(file), 'utf8')) as ResultRow[];
  } catch {
    // first row of this file
  }
  rows = rows.filter((r) => r.fault !== row.fault);
  rows.push({ ...row, recordedAt: new Date().toISOString() });
  writeFileSync(fileFor(file), `${JSON.stringify(rows, null, 2)}\n`);
  const f = row.figures;
  const figures = f
    ? ` sent=${f.sent} delivered=${f.delivered} deadLettered=${f.deadLettered} duplicatedIds=${f.duplicatedIds} extraCopies=${f.extraCopies} lost=${f.lost}`
    : '';
  const measures = row.measures ? ` ${Object.entries(row.measures).map(([k, v]) => `${k}=${v}`).join(' ')}` : '';
  console.log(`[faults ${row.area}] ${row.fault}:${figures}${measures} (${row.seconds.toFixed(1)} s) ${row.passed ? 'PASS' : 'FAIL'}`);
}

/** Figures from the ids that were sent and the per-id counts seen at the sink and the dead-letter sink. */
export function figuresOf(sent: readonly string[], delivered: ReadonlyMap<string, number>, deadLettered: ReadonlyMap<string, number>): DeliveryFigures {
  let lost = 0;
  let duplicatedIds = 0;
  let extraCopies = 0;
  let d = 0;
  let dl = 0;
  for (const id of sent) {
    const a = delivered.get(id) ?? 0;
    const b = deadLettered.get(id) ?? 0;
    if (a > 0) d++;
    else if (b > 0) dl++;
    if (a + b === 0) lost++;
    if (a + b > 1) {
      duplicatedIds++;
      extraCopies += a + b - 1;
    }
  }
  return { sent: sent.length, delivered: d, deadLettered: dl, duplicatedIds, extraCopies, lost };
}
