/**
 * The smallest sink function: answer every event with an event of our own (a Knative-style reply).
 *
 *   PORT=8081 node --import tsx samples/functions/lib/serve-function.ts samples/functions/echo/index.ts
 */
import { CloudEvent } from 'cloudevents';

export default async (event: CloudEvent<unknown>) =>
  new CloudEvent<unknown>({ source: '/samples/echo', type: `${event.type}.echo`, data: { received: event.id } });
