/** The pure parts of the machinery: env parsing, API paths, error mapping, label matching, Lease timing rules. */
import { describe, expect, it } from 'vitest';
import { loadControllerConfig } from '../../../../controller/runtime/config.js';
import { microTime, validateLeaderConfig } from '../../../../controller/runtime/leader.js';
import { CacheLister, matchesLabels } from '../../../../controller/runtime/lister.js';
import { ConfigError } from '../../../../lib/errors.js';
import {
  AlreadyExistsError,
  ConflictError,
  ForbiddenError,
  GoneError,
  InvalidError,
  NotFoundError,
  ServerError,
  TooManyRequestsError,
  apiErrorFor,
} from '../../../../lib/kube/errors.js';
import { apiVersionOf, collectionPath, objectPath, resourceId } from '../../../../lib/kube/resource.js';

const deployments = { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true };
const namespaces = { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false };
const cron = { group: 'sources.headwater.dev', version: 'v1alpha1', kind: 'CronSource', plural: 'cronsources', namespaced: true };

describe('loadControllerConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadControllerConfig({ HEADWATER_ADAPTER_IMAGE: 'img:1', POD_NAME: 'p-1' });
    expect(c).toEqual({
      adapterImage: 'img:1',
      systemNamespace: 'headwater-system',
      metricsPort: 9090,
      resyncMs: 600_000,
      workers: 16,
      webhookPort: undefined,
      identity: 'p-1',
      leaderElection: true,
      watchNamespaces: [],
    });
  });

  it('reads every variable', () => {
    const c = loadControllerConfig({
      HEADWATER_ADAPTER_IMAGE: ' img:2 ',
      SYSTEM_NAMESPACE: 'ops',
      METRICS_PORT: '9191',
      RESYNC_SECONDS: '30',
      WORKERS: '8',
      WEBHOOK_PORT: '8443',
      LEADER_ELECTION: 'false',
    });
    expect(c).toMatchObject({ adapterImage: 'img:2', systemNamespace: 'ops', metricsPort: 9191, resyncMs: 30_000, workers: 8, webhookPort: 8443, leaderElection: false });
  });

  it.each([
    [{}, /HEADWATER_ADAPTER_IMAGE: is not set/],
    [{ HEADWATER_ADAPTER_IMAGE: 'i', METRICS_PORT: 'abc' }, /METRICS_PORT: "abc" is not an integer between 0 and 65535/],
    [{ HEADWATER_ADAPTER_IMAGE: 'i', RESYNC_SECONDS: '0' }, /RESYNC_SECONDS: "0" is not an integer between 1/],
    [{ HEADWATER_ADAPTER_IMAGE: 'i', WORKERS: '2.5' }, /WORKERS/],
    [{ HEADWATER_ADAPTER_IMAGE: 'i', WEBHOOK_PORT: '70000' }, /WEBHOOK_PORT/],
    [{ HEADWATER_ADAPTER_IMAGE: 'i', LEADER_ELECTION: 'yes' }, /LEADER_ELECTION: "yes" is not true or false/],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => loadControllerConfig(env)).toThrow(ConfigError);
    expect(() => loadControllerConfig(env)).toThrow(message);
  });
});

describe('resource paths', () => {
  it('builds core, group, namespaced and cluster-scoped URLs', () => {
    expect(apiVersionOf(deployments)).toBe('apps/v1');
    expect(apiVersionOf(namespaces)).toBe('v1');
    expect(resourceId(deployments)).toBe('deployments.apps/v1');
    expect(resourceId(namespaces)).toBe('namespaces/v1');
    expect(collectionPath(deployments)).toBe('/apis/apps/v1/deployments');
    expect(collectionPath(deployments, 'a')).toBe('/apis/apps/v1/namespaces/a/deployments');
    expect(collectionPath(namespaces, 'ignored')).toBe('/api/v1/namespaces');
    expect(objectPath(cron, 'ns', 'c1', 'status')).toBe('/apis/sources.headwater.dev/v1alpha1/namespaces/ns/cronsources/c1/status');
    expect(objectPath(namespaces, undefined, 'kube-system')).toBe('/api/v1/namespaces/kube-system');
  });
});

describe('apiErrorFor', () => {
  it.each([
    [404, 'NotFound', NotFoundError],
    [409, 'AlreadyExists', AlreadyExistsError],
    [409, 'Conflict', ConflictError],
    [410, 'Expired', GoneError],
    [422, 'Invalid', InvalidError],
    [403, 'Forbidden', ForbiddenError],
    [429, 'TooManyRequests', TooManyRequestsError],
    [500, 'InternalError', ServerError],
  ])('maps %i %s to its typed error with context', (status, reason, type) => {
    const err = apiErrorFor('PUT', '/api/v1/namespaces/a/configmaps/b', status, { kind: 'Status', reason, message: 'the detail' });
    expect(err).toBeInstanceOf(type);
    expect(err.message).toBe(`PUT /api/v1/namespaces/a/configmaps/b: ${status} ${reason}: the detail`);
    expect(err.context).toMatchObject({ method: 'PUT', status, reason });
  });

  it('keeps a non-JSON body in the message', () => {
    expect(apiErrorFor('GET', '/x', 502, '<html>bad gateway</html>').message).toContain('<html>bad gateway</html>');
  });
});

describe('matchesLabels', () => {
  const obj = { metadata: { labels: { app: 'a', tier: 'web' } } };
  it('matches by equality on every given label', () => {
    expect(matchesLabels(obj, undefined)).toBe(true);
    expect(matchesLabels(obj, {})).toBe(true);
    expect(matchesLabels(obj, { app: 'a' })).toBe(true);
    expect(matchesLabels(obj, { app: 'a', tier: 'db' })).toBe(false);
    expect(matchesLabels({ metadata: {} }, { app: 'a' })).toBe(false);
  });
});

describe('leader election rules', () => {
  it('wants retry < renew deadline < lease duration', () => {
    const base = { namespace: 'n', name: 'l', identity: 'i' };
    expect(() => validateLeaderConfig({ ...base, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 })).not.toThrow();
    expect(() => validateLeaderConfig({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 })).toThrow(/renewDeadline/);
    expect(() => validateLeaderConfig({ ...base, leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 10_000 })).toThrow(/retryPeriod/);
  });

  it('writes MicroTime with six fractional digits', () => {
    expect(microTime(new Date('2026-11-25T15:00:00.123Z'))).toBe('2026-11-25T15:00:00.123000Z');
  });
});

describe('CacheLister', () => {
  const gvk = { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };
  const stored = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'n1', labels: { app: 'x' } }, data: { k: 'v' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'n2', labels: { app: 'y' } } },
  ];
  const cache = {
    get: (name: string, namespace?: string) => stored.find((o) => o.metadata.name === name && o.metadata.namespace === namespace),
    list: (namespace?: string) => stored.filter((o) => !namespace || o.metadata.namespace === namespace),
  };
  const lister = new CacheLister(() => cache);

  it('gets, lists by namespace and by equality selector', () => {
    expect(lister.get(gvk, { namespace: 'n1', name: 'a' })?.metadata.name).toBe('a');
    expect(lister.get(gvk, { namespace: 'n2', name: 'a' })).toBeUndefined();
    expect(lister.list(gvk).map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(lister.list(gvk, 'n2').map((o) => o.metadata.name)).toEqual(['b']);
    expect(lister.list(gvk, undefined, { app: 'x' }).map((o) => o.metadata.name)).toEqual(['a']);
  });

  it('hands out copies, so editing a result leaves the cache alone', () => {
    const got = lister.get(gvk, { namespace: 'n1', name: 'a' }) as unknown as { data: Record<string, string> };
    got.data.k = 'changed';
    const listed = lister.list(gvk, 'n1')[0] as unknown as { data: Record<string, string> };
    listed.data.k = 'changed too';
    expect(stored[0]?.data).toEqual({ k: 'v' });
  });
});
