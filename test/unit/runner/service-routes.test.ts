import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { serviceRoutes } from '../../../hack/runner/service-routes.js';

const svc = (name: string, ports: { name?: string; port: number }[], clusterIP?: string): V1Service => ({
  metadata: { name, namespace: 'demo' },
  spec: { ports, ...(clusterIP ? { clusterIP } : {}) },
});
const slice = (service: string, port: { name?: string; port: number }, endpoints: V1EndpointSlice['endpoints']): V1EndpointSlice => ({
  metadata: { name: `${service}-abc`, namespace: 'demo', labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  ports: [{ ...port, protocol: 'TCP' }],
  endpoints,
});

describe('serviceRoutes', () => {
  it('maps each Service port to the ready endpoints on their target port', () => {
    const routes = serviceRoutes(
      [svc('sink', [{ name: 'http', port: 80 }])],
      [
        slice('sink', { name: 'http', port: 8080 }, [
          { addresses: ['127.42.0.3'], conditions: { ready: true } },
          { addresses: ['127.42.0.4'], conditions: { ready: false } },
          { addresses: ['127.42.0.5'] },
          { addresses: ['127.42.0.6'], conditions: { ready: true, terminating: true } },
        ]),
        slice('other', { name: 'http', port: 9090 }, [{ addresses: ['127.42.0.9'] }]),
      ],
    );
    expect(routes).toEqual([
      {
        key: 'demo/sink',
        namespace: 'demo',
        name: 'sink',
        headless: false,
        ports: [{ port: 80, name: 'http', targets: [{ ip: '127.42.0.3', port: 8080 }, { ip: '127.42.0.5', port: 8080 }] }],
      },
    ]);
  });

  it('marks headless Services and skips ExternalName', () => {
    const ext: V1Service = { metadata: { name: 'ext', namespace: 'demo' }, spec: { type: 'ExternalName', externalName: 'example.com' } };
    const routes = serviceRoutes([svc('h', [{ port: 8080 }], 'None'), ext], []);
    expect(routes.map((r) => [r.name, r.headless])).toEqual([['h', true]]);
  });
});
