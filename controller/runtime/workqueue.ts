/**
 * A keyed work queue in the manner of client-go's: a key waits at most once (dedupe), is handled by at
 * most one worker at a time, and a key added while it is being handled runs again right after. A failed
 * key comes back after a per-key exponential delay; a success forgets its failures.
 */
import { type BackoffOptions, backoffDelay } from '../../lib/backoff.js';
import { type Logger, createLogger } from '../../lib/log.js';

export interface ProcessOutcome {
  requeueAfterMs?: number;
}

export interface WorkQueueOptions {
  /** Parallel workers; one key is never processed by two at once. */
  workers: number;
  process(key: string): Promise<ProcessOutcome | undefined>;
  /** Delay after the n-th consecutive failure of a key (default exponential 500ms … 5min, ±10%). */
  backoff?: BackoffOptions;
  random?: () => number;
  log?: Logger;
  /** Called whenever the number of waiting keys changes (for the depth gauge). */
  onDepth?(depth: number): void;
}

export const defaultQueueBackoff: BackoffOptions = { policy: 'exponential', baseMs: 500, maxMs: 300_000, jitter: 0.1 };

export class WorkQueue {
  private readonly options: WorkQueueOptions;
  private readonly log: Logger;
  private readonly waiting: string[] = [];
  /** Keys that must be (re)processed: waiting, or re-added while processing. */
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failureCounts = new Map<string, number>();
  private readonly idleWorkers: ((key: string | undefined) => void)[] = [];
  private workerLoops: Promise<void>[] = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1) {
      throw new RangeError(`workers must be a positive integer, got ${options.workers}`);
    }
    this.options = options;
    this.log = options.log ?? createLogger({ component: 'workqueue' });
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return; // picked up again when the current run finishes
    this.push(key);
  }

  /** Add after a delay; of several pending delays for one key the earliest wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { at, timer });
  }

  /** Consecutive failures of a key since its last success. */
  failures(key: string): number {
    return this.failureCounts.get(key) ?? 0;
  }

  depth(): number {
    return this.waiting.length;
  }

  inFlight(): number {
    return this.processing.size;
  }

  private push(key: string): void {
    const worker = this.idleWorkers.shift();
    if (worker) {
      worker(key);
      return;
    }
    this.waiting.push(key);
    this.options.onDepth?.(this.waiting.length);
  }

  private next(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.waiting.shift();
    if (key !== undefined) {
      this.options.onDepth?.(this.waiting.length);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.idleWorkers.push(resolve));
  }

  start(): void {
    if (this.workerLoops.length > 0) return;
    for (let i = 0; i < this.options.workers; i++) this.workerLoops.push(this.work());
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.next();
      if (key === undefined) return;
      this.processing.add(key);
      this.dirty.delete(key);
      try {
        const outcome = await this.options.process(key);
        this.failureCounts.delete(key);
        if (outcome?.requeueAfterMs !== undefined) this.addAfter(key, outcome.requeueAfterMs);
      } catch (err) {
        const n = (this.failureCounts.get(key) ?? 0) + 1;
        this.failureCounts.set(key, n);
        const delay = backoffDelay(n, this.options.backoff ?? defaultQueueBackoff, this.options.random);
        this.log.debug('retrying key after failure', { key, failures: n, delayMs: delay, err });
        this.addAfter(key, delay);
      } finally {
        this.processing.delete(key);
        if (this.dirty.has(key) && !this.shuttingDown) this.push(key);
      }
    }
  }

  /** Stop taking keys, drop delayed ones, and wait for the runs in flight to finish. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    for (const w of this.idleWorkers.splice(0)) w(undefined);
    await Promise.all(this.workerLoops);
    this.workerLoops = [];
  }
}
