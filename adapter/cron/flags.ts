/**
 * Standalone use without a cluster: `headwater-adapter cron --sink URL --schedule "…" [--timezone Z]
 * [--data …|--data-base64 …] [--content-type T] [--name N] [--namespace NS]`, or `--file sources.json`.
 * No flags at all means cluster mode (watch every CronSource).
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../../lib/errors.js';
import type { CronSpecInput } from './tenant.js';

export type CronMode =
  | { mode: 'cluster' }
  | { mode: 'file'; path: string }
  | { mode: 'single'; namespace: string; name: string; sinkUri?: string; spec: CronSpecInput };

export function parseCronFlags(argv: readonly string[]): CronMode {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        sink: { type: 'string' },
        schedule: { type: 'string' },
        timezone: { type: 'string' },
        data: { type: 'string' },
        'data-base64': { type: 'string' },
        'content-type': { type: 'string' },
        name: { type: 'string' },
        namespace: { type: 'string' },
        file: { type: 'string' },
      },
    }));
  } catch (cause) {
    throw new ConfigError('cron flags', (cause as Error).message, 'Run: headwater-adapter cron --sink URL --schedule "*/1 * * * *" (or --file sources.json)', {
      cause,
    });
  }
  const str = (k: string): string | undefined => {
    const v = values[k];
    return typeof v === 'string' ? v : undefined;
  };
  const file = str('file');
  const schedule = str('schedule');
  if (file !== undefined) {
    const clash = ['sink', 'schedule', 'timezone', 'data', 'data-base64', 'content-type'].filter((k) => values[k] !== undefined);
    if (clash.length > 0) {
      throw new ConfigError('--file', `cannot be combined with --${clash.join(', --')}`, 'Put those fields in the file');
    }
    return { mode: 'file', path: file };
  }
  if (schedule === undefined) {
    const stray = Object.keys(values).filter((k) => values[k] !== undefined);
    if (stray.length > 0) throw new ConfigError('--schedule', 'is missing', `--${stray.join(', --')} need a --schedule`);
    return { mode: 'cluster' };
  }
  const spec: CronSpecInput = { schedule };
  if (str('timezone') !== undefined) spec.timezone = str('timezone');
  if (str('data') !== undefined) spec.data = str('data');
  if (str('data-base64') !== undefined) spec.dataBase64 = str('data-base64');
  if (str('content-type') !== undefined) spec.contentType = str('content-type');
  const out: CronMode = { mode: 'single', namespace: str('namespace') ?? 'default', name: str('name') ?? 'cron', spec };
  const sink = str('sink');
  if (sink !== undefined) out.sinkUri = sink;
  return out;
}
