import type { V1Pod, V1Service, V1ServicePort } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { serviceRoutes } from '../../../hack/runner/service-routes.js';

const svc = (name: string, ports: V1ServicePort[], extra: Record<string, unknown> = {}): V1Service => ({
  metadata: { name, namespace: 'demo' },
  spec: { selector: { app: name }, ports, ...extra },
});

function pod(name: string, app: string, ip: string | undefined, ready: boolean, extra: Partial<V1Pod['metadata']> = {}): V1Pod {
  return {
    metadata: { name, namespace: 'demo', labels: { app }, ...extra },
    spec: { containers: [{ name: 'c', image: 'i', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: 'Running', ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

describe('serviceRoutes', () => {
  it('maps each Service port to the ready selected pods on the resolved target port', () => {
    const routes = serviceRoutes(
      [svc('sink', [{ name: 'web', port: 80, targetPort: 'http' }, { name: 'raw', port: 9000, targetPort: 9001 }])],
      [
        pod('a', 'sink', '127.42.0.3', true),
        pod('b', 'sink', '127.42.0.4', false),
        pod('c', 'sink', undefined, true),
        pod('d', 'sink', '127.42.0.6', true, { deletionTimestamp: new Date() }),
        pod('e', 'other', '127.42.0.9', true),
        { ...pod('f', 'sink', '127.42.0.7', true), metadata: { name: 'f', namespace: 'elsewhere', labels: { app: 'sink' } } },
      ],
    );
    expect(routes).toEqual([
      {
        key: 'demo/sink',
        namespace: 'demo',
        name: 'sink',
        headless: false,
        ports: [
          { port: 80, name: 'web', targets: [{ ip: '127.42.0.3', port: 8080 }] },
          { port: 9000, name: 'raw', targets: [{ ip: '127.42.0.3', port: 9001 }] },
        ],
      },
    ]);
  });

  it('uses the Service port when no targetPort is given, and publishes unready pods when asked', () => {
    const [route] = serviceRoutes([svc('s', [{ port: 8080 }], { publishNotReadyAddresses: true })], [pod('a', 's', '127.42.0.3', false)]);
    expect(route?.ports[0]?.targets).toEqual([{ ip: '127.42.0.3', port: 8080 }]);
  });

  it('marks headless Services and skips ExternalName and selector-less Services', () => {
    const ext: V1Service = { metadata: { name: 'ext', namespace: 'demo' }, spec: { type: 'ExternalName', externalName: 'example.com' } };
    const manual: V1Service = { metadata: { name: 'manual', namespace: 'demo' }, spec: { ports: [{ port: 80 }] } };
    const routes = serviceRoutes([svc('h', [{ port: 8080 }], { clusterIP: 'None' }), ext, manual], []);
    expect(routes.map((r) => [r.name, r.headless])).toEqual([['h', true]]);
  });
});
