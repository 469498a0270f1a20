/**
 * event-display: a sink function that logs every CloudEvent it receives (one JSON line each) and keeps the last
 * ones for `GET /events`, so a demo or a test can see what arrived. Run it with
 *
 *   PORT=8080 node --import tsx samples/functions/event-display/index.ts
 *
 * The function itself is the default export, written the way a user writes one.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CloudEvent } from 'cloudevents';
import { createLogger } from '../../../lib/log.js';
import { type RequestInfo, serveFunction } from '../lib/serve-function.js';

const logger = createLogger({ component: 'event-display' });
const keep = Number(process.env.EVENT_DISPLAY_KEEP ?? 100);

export interface DisplayedEvent {
  attributes: Record<string, unknown>;
  /** The path it was posted to (`/` or e.g. `/dead-letters`). */
  path: string;
  /** Text data as text; bytes as base64 in `dataBase64`. */
  data?: unknown;
  dataBase64?: string;
  receivedAt: string;
}

export const recent: DisplayedEvent[] = [];

function display(event: CloudEvent<unknown>, path: string): DisplayedEvent {
  // toJSON() drops `data` when the event carries bytes (then only data_base64 is there).
  const { data: _data, data_base64: _b64, ...attributes } = event.toJSON() as Record<string, unknown>;
  const shown: DisplayedEvent = { attributes, path, receivedAt: new Date().toISOString() };
  const { data } = event;
  if (data instanceof Uint8Array) shown.dataBase64 = Buffer.from(data).toString('base64');
  else if (data !== undefined) shown.data = data;
  return shown;
}

const eventDisplay = async (event: CloudEvent<unknown>, request?: RequestInfo): Promise<void> => {
  const shown = display(event, request?.path ?? '/');
  logger.info('cloudevent', { ...shown });
  recent.push(shown);
  if (recent.length > keep) recent.splice(0, recent.length - keep);
};
export default eventDisplay;

export async function startEventDisplay(options: { port?: number; host?: string } = {}) {
  return serveFunction(eventDisplay, {
    ...options,
    logger,
    routes: (app) => {
      app.get('/events', (_req, res) => {
        res.json(recent);
      });
      app.delete('/events', (_req, res) => {
        recent.splice(0);
        res.status(204).end();
      });
    },
  });
}

/** Start it as a program: listen on PORT, stop on SIGTERM/SIGINT. */
export function mainEventDisplay(): void {
  startEventDisplay().then(
    (served) => {
      logger.info('event-display listening', { url: served.url });
      const stop = (): void => {
        void served.close().then(() => process.exit(0));
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    },
    (err: unknown) => {
      logger.error('event-display failed to start', { err });
      process.exit(1);
    },
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) mainEventDisplay();
