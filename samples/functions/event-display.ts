/**
 * Program entry of the event-display sample (`dist/samples/functions/event-display.js`, the file the local node
 * runner starts for the `headwater/event-display` image). The function lives in event-display/index.ts.
 */
import { mainEventDisplay } from './event-display/index.js';

mainEventDisplay();
