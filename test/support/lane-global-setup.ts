/**
 * vitest globalSetup of the `integration` project: starts the lane lock (test/support/lane-lock.ts) in the
 * main process and hands its address to the test files (test/support/lane-setup.ts reads it with inject).
 */
import type { TestProject } from 'vitest/node';
import { startLaneLockServer } from './lane-lock.js';

declare module 'vitest' {
  export interface ProvidedContext {
    laneLockUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startLaneLockServer();
  project.provide('laneLockUrl', server.url);
  return () => server.close();
}
