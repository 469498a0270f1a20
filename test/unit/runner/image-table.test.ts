import { describe, expect, it } from 'vitest';
import { decideLaunch, defaultImageTable } from '../../../hack/runner/image-table.js';

const table = defaultImageTable('headwater/headwater:*');

describe('decideLaunch', () => {
  it('maps an adapter role to the adapter entry with the role kept as first argument', () => {
    expect(decideLaunch(table, { image: 'headwater/headwater:dev', args: ['kafka', '--x', '1'] })).toEqual({
      ok: true,
      launch: { file: 'dist/adapter/main.js', args: ['kafka', '--x', '1'] },
    });
  });

  it('runs the controller for the controller role and for no args (the image default)', () => {
    const expected = { ok: true, launch: { file: 'dist/controller/main.js', args: [] } };
    expect(decideLaunch(table, { image: 'headwater/headwater:1.2.3', args: ['controller'] })).toEqual(expected);
    expect(decideLaunch(table, { image: 'headwater/headwater:1.2.3' })).toEqual(expected);
  });

  it('honours a command of `node <entry file>` and of the dispatcher', () => {
    expect(decideLaunch(table, { image: 'headwater/headwater:dev', command: ['node', 'dist/adapter/main.js'], args: ['cron'] })).toEqual({
      ok: true,
      launch: { file: 'dist/adapter/main.js', args: ['cron'] },
    });
    expect(decideLaunch(table, { image: 'headwater/headwater:dev', command: ['headwater', 'trigger'] })).toEqual({
      ok: true,
      launch: { file: 'dist/adapter/main.js', args: ['trigger'] },
    });
  });

  it('runs sample functions with their own args', () => {
    expect(decideLaunch(table, { image: 'headwater/event-display:latest', args: ['--quiet'] })).toEqual({
      ok: true,
      launch: { file: 'dist/samples/functions/event-display.js', args: ['--quiet'] },
    });
  });

  it('refuses foreign images with a message that says why', () => {
    const d = decideLaunch(table, { image: 'nginx:1.27' });
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.reason).toBe('ImageNotRunnable');
    expect(d.message).toContain('runs only Headwater');
    expect(d.message).toContain('nginx:1.27');
  });

  it('refuses an unknown role and a command it cannot map', () => {
    const role = decideLaunch(table, { image: 'headwater/headwater:dev', args: ['sql'] });
    expect(role).toMatchObject({ ok: false, reason: 'CommandNotRunnable' });
    const cmd = decideLaunch(table, { image: 'headwater/headwater:dev', command: ['/bin/sh', '-c', 'echo'] });
    expect(cmd).toMatchObject({ ok: false, reason: 'CommandNotRunnable' });
  });

  it('matches the configured image pattern only as a whole reference', () => {
    expect(decideLaunch(table, { image: 'evil/headwater/headwater:dev' }).ok).toBe(false);
    const custom = defaultImageTable('registry.local/hw:*');
    expect(decideLaunch(custom, { image: 'registry.local/hw:abc', args: ['cron'] }).ok).toBe(true);
    expect(decideLaunch(custom, { image: 'headwater/headwater:dev' }).ok).toBe(false);
  });
});
