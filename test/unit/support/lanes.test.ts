/** The lane rules and the lane lock's grant decision (test/support/lanes.ts, test/support/lane-lock.ts). */
import { describe, expect, it } from 'vitest';
import { acquireLane, grantable, startLaneLockServer } from '../../support/lane-lock.js';
import { laneOf } from '../../support/lanes.js';

describe('laneOf', () => {
  it('puts listed files and one-level patterns in the parallel lane', () => {
    expect(laneOf('test/integration/adapter/noloss/noloss.test.ts')).toBe('parallel');
    expect(laneOf('test/e2e/samples/trigger.test.ts')).toBe('parallel');
    expect(laneOf('./test/e2e/samples/cronsource.test.ts')).toBe('parallel');
  });

  it('leaves every other file alone, a new one included', () => {
    expect(laneOf('test/integration/controller/runtime/informer.test.ts')).toBe('alone');
    expect(laneOf('test/e2e/demo/once.test.ts')).toBe('alone');
    expect(laneOf('test/integration/adapter/auth/redis.test.ts')).toBe('alone');
    expect(laneOf('test/e2e/samples/nested/deeper.test.ts')).toBe('alone');
  });
});

describe('grantable', () => {
  it('grants parallel requests together, and an alone one only with nothing held', () => {
    expect(grantable(['parallel', 'parallel'], { shared: 0, exclusive: false })).toBe(2);
    expect(grantable(['alone', 'parallel'], { shared: 0, exclusive: false })).toBe(1);
    expect(grantable(['alone'], { shared: 1, exclusive: false })).toBe(0);
    expect(grantable(['parallel'], { shared: 0, exclusive: true })).toBe(0);
  });

  it('keeps arrival order: a parallel request behind a waiting alone one waits too', () => {
    expect(grantable(['parallel', 'alone', 'parallel'], { shared: 0, exclusive: false })).toBe(1);
    expect(grantable(['alone', 'parallel'], { shared: 1, exclusive: false })).toBe(0);
  });
});

describe('the lane lock over loopback', () => {
  it('holds an alone file until the parallel holder lets go, also when its connection just closes', async () => {
    const server = await startLaneLockServer();
    try {
      const releaseA = await acquireLane(server.url, 'parallel', 'a');
      const releaseB = await acquireLane(server.url, 'parallel', 'b');
      let aloneGranted = false;
      const alone = acquireLane(server.url, 'alone', 'c').then((release) => {
        aloneGranted = true;
        return release;
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(aloneGranted).toBe(false);
      releaseA();
      await new Promise((r) => setTimeout(r, 100));
      expect(aloneGranted).toBe(false);
      releaseB();
      const releaseC = await alone;
      expect(aloneGranted).toBe(true);
      let parallelGranted = false;
      const next = acquireLane(server.url, 'parallel', 'd').then((release) => {
        parallelGranted = true;
        return release;
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(parallelGranted).toBe(false);
      releaseC();
      (await next)();
      expect(parallelGranted).toBe(true);
    } finally {
      await server.close();
    }
  });
});
