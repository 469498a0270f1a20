/** The benchmark sink (bench/workers/sink.ts), forked and driven over IPC (recorder.ts). */
import { join } from 'node:path';
import { type BenchRecorder, forkRecorder } from './recorder.js';

export interface BenchSink extends BenchRecorder {
  url: string;
}

export async function startSink(distDir: string): Promise<BenchSink> {
  const { recorder, started } = await forkRecorder(join(distDir, 'bench', 'workers', 'sink.js'), []);
  if (started.type !== 'listening') throw new Error('the sink started without saying where it listens');
  return { ...recorder, url: started.url };
}
