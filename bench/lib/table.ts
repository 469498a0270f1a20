/**
 * The one table `npm run bench` prints: each figure beside the reference measured in the same run, their ratio,
 * and the target it is judged by. Rows are plain data so bench/results.json holds exactly what was printed.
 */

export interface Row {
  /** Benchmark name, as given to --only. */
  bench: string;
  metric: string;
  /** undefined = not measured (the note says why). */
  value: number | undefined;
  unit: string;
  /** The reference measured in the same run (e.g. the HTTP ceiling, the raw consume rate). */
  reference?: { label: string; value: number | undefined; unit: string };
  /** value / reference.value, when both exist. */
  ratio?: number;
  /** The target in words, e.g. "≥ 0.9 × ceiling" or "< 50 ms". */
  target?: string;
  /** Whether the target was met; undefined when there is no target or no value. */
  met?: boolean;
  note?: string;
}

/** Fills `ratio` from value and reference. */
export function withRatio(row: Row): Row {
  const ref = row.reference?.value;
  if (row.value !== undefined && ref !== undefined && ref > 0) return { ...row, ratio: row.value / ref };
  return row;
}

function fmtNumber(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  const abs = Math.abs(v);
  if (abs >= 1000) return Math.round(v).toLocaleString('en-US');
  if (abs >= 100) return v.toFixed(0);
  if (abs >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function fmtValue(v: number | undefined, unit: string): string {
  return v === undefined ? '–' : `${fmtNumber(v)} ${unit}`.trim();
}

export function renderTable(rows: Row[]): string {
  const header = ['benchmark', 'metric', 'value', 'reference (same run)', 'ratio', 'target', 'met'];
  const body = rows.map((r) => [
    r.bench,
    r.metric,
    fmtValue(r.value, r.unit),
    r.reference ? `${r.reference.label} ${fmtValue(r.reference.value, r.reference.unit)}` : '',
    r.ratio === undefined ? '' : r.ratio.toFixed(2),
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.bench} / ${r.metric}: ${r.note}`);
  return [line(header), sep, ...body.map(line), ...(notes.length ? ['', 'Notes:', ...notes] : [])].join('\n');
}
