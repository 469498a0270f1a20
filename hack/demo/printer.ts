/**
 * What the demo prints: one line per delivered event, and a progress line counting deliveries per path.
 * On a terminal the progress line is redrawn in place under the events; in a log (a test, CI) it is
 * printed as a plain line whenever the counts changed, at most every few seconds. Formatting is pure.
 */
import type { DisplayedEvent } from './event-feed.js';
import { type DemoPath, demoPaths } from './paths.js';

function short(value: unknown, max: number): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function eventLine(e: DisplayedEvent, path: DemoPath | undefined): string {
  const a = e.attributes;
  const time = e.receivedAt.slice(11, 19);
  const where = e.path === '/' ? '' : ` ${e.path}`;
  const ext = ['team', 'origin', 'key'].filter((k) => a[k] !== undefined).map((k) => `${k}=${String(a[k])}`);
  const data = e.data !== undefined ? short(e.data, 70) : e.dataBase64 !== undefined ? `base64:${short(e.dataBase64, 40)}` : '';
  return `${time} ${`[${path ?? 'other'}]`.padEnd(14)}${String(a.type)}  ${String(a.source)}${where}${ext.length ? `  ${ext.join(' ')}` : ''}  ${data}`;
}

export type Counts = Record<DemoPath, number>;

export function emptyCounts(): Counts {
  return Object.fromEntries(demoPaths.map((p) => [p, 0])) as Counts;
}

export function progressLine(counts: Counts, produced: { kafka: number; redis: number }, elapsedS: number): string {
  const parts = demoPaths.map((p) => `${p} ${counts[p]}${counts[p] > 0 ? '' : '…'}`);
  return `events ${parts.join(' · ')} | produced kafka ${produced.kafka}, redis ${produced.redis} | ${elapsedS}s`;
}

export class Printer {
  private progress = '';
  private lastPlainAt = 0;
  private lastPlain = '';
  constructor(private readonly tty: boolean) {}

  /** A line above the progress line. */
  line(text: string): void {
    if (this.tty && this.progress) process.stdout.write('\r\x1b[2K');
    process.stdout.write(`${text}\n`);
    if (this.tty && this.progress) process.stdout.write(this.progress);
  }

  setProgress(text: string, counts: string): void {
    if (this.tty) {
      this.progress = text;
      process.stdout.write(`\r\x1b[2K${text}`);
      return;
    }
    const now = Date.now();
    if (counts !== this.lastPlain && now - this.lastPlainAt >= 5000) {
      this.lastPlain = counts;
      this.lastPlainAt = now;
      process.stdout.write(`${text}\n`);
    }
  }

  /** Ends the in-place progress line so later output starts on a fresh line. */
  finish(): void {
    if (this.tty && this.progress) process.stdout.write('\n');
    this.progress = '';
  }
}
