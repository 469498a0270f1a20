/** Every benchmark, in the order `npm run bench` runs them (fast ones first). */
import { controllerScale } from './controller-scale.js';
import { conversion } from './conversion.js';
import { cronFanout } from './cron-fanout.js';
import { footprint } from './footprint.js';
import { httpCeiling } from './http-ceiling.js';
import { kafkaBench } from './kafka.js';
import type { Benchmark } from './lib/types.js';
import { redisStream } from './redis-stream.js';
import { triggerBench } from './trigger.js';

export const benchmarks: Benchmark[] = [httpCeiling, conversion, footprint, redisStream, kafkaBench, triggerBench, cronFanout, controllerScale];
