import { type Static, Type } from 'typebox';
import { sourceSpecProperties, sourceSpecRules } from '../duck/source-spec.js';
import { SourceStatusSchema } from '../duck/status.js';
import { kindSchema } from '../kind-schema.js';

import { CRON_EVENT_TYPE } from '../event-types.js';

export { CRON_EVENT_TYPE };

export const CronSourceSpecSchema = Type.Object(
  {
    ...sourceSpecProperties,
    schedule: Type.String({
      minLength: 1,
      maxLength: 256,
      description:
        'Cron schedule: 5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds, e.g. `*/1 * * * *`.',
      examples: ['*/1 * * * *'],
    }),
    timezone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'IANA time zone the schedule is read in, e.g. `Europe/Berlin`; UTC when unset.',
      }),
    ),
    contentType: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description:
          'Media type of `data`, sent as the `datacontenttype` attribute. Unset: no `datacontenttype` (as PingSource). When it is JSON (`application/json` or `…+json`), `data` must be JSON.',
      }),
    ),
    data: Type.Optional(
      Type.String({ maxLength: 262144, description: 'Event payload as text. At most one of `data` and `dataBase64`.' }),
    ),
    dataBase64: Type.Optional(
      Type.String({
        format: 'byte',
        maxLength: 349528,
        description: 'Event payload, base64-encoded (binary data). At most one of `data` and `dataBase64`.',
      }),
    ),
  },
  {
    description: 'Sends an event on a cron schedule.',
    'x-kubernetes-validations': [
      ...sourceSpecRules,
      {
        rule: '!(has(self.data) && has(self.dataBase64))',
        message: 'set at most one of spec.data and spec.dataBase64',
        fieldPath: '.dataBase64',
      },
    ],
  },
);
export type CronSourceSpec = Static<typeof CronSourceSpecSchema>;

export const CronSourceSchema = kindSchema(CronSourceSpecSchema, SourceStatusSchema, 'CronSource sends an event on a cron schedule.');
export type CronSource = Static<typeof CronSourceSchema>;
