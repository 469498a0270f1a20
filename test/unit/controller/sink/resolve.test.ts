import { describe, expect, it } from 'vitest';
import { SinkResolutionError } from '../../../../controller/sink/errors.js';
import { defaultPlural, gvkOfReference } from '../../../../controller/sink/kinds.js';
import { type ResolvedSink, type SinkLookup, resolveDestination } from '../../../../controller/sink/resolve.js';
import type { KubeObject } from '../../../../controller/runtime/types.js';

function lookupOf(objects: KubeObject[]): SinkLookup {
  return {
    get: (ref) =>
      objects.find(
        (o) =>
          o.apiVersion === ref.apiVersion &&
          o.kind === ref.kind &&
          o.metadata.name === ref.name &&
          o.metadata.namespace === ref.namespace,
      ),
  };
}

const coreSvc = (name: string, ns: string, port?: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: port === undefined ? {} : { ports: [{ port }] },
});
const ksvc: KubeObject = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'fn', namespace: 'ns' },
  status: { url: 'http://fn.ns.example.com', address: { url: 'http://fn.ns.svc.cluster.local' } },
};
const ksvcUrlOnly: KubeObject = {
  apiVersion: 'serving.knative.dev/v1',
  kind: 'Service',
  metadata: { name: 'fn2', namespace: 'ns' },
  status: { url: 'http://fn2.ns.example.com' },
};
const broker: KubeObject = {
  apiVersion: 'eventing.knative.dev/v1',
  kind: 'Broker',
  metadata: { name: 'default', namespace: 'ns' },
  status: { address: { url: 'https://broker.ns.svc', CACerts: 'PEM-B' } },
};
const notReady: KubeObject = {
  apiVersion: 'eventing.knative.dev/v1',
  kind: 'Broker',
  metadata: { name: 'pending', namespace: 'ns' },
  status: {},
};
const world = lookupOf([coreSvc('web', 'ns'), coreSvc('alt', 'ns', 8080), coreSvc('other', 'elsewhere'), ksvc, ksvcUrlOnly, broker, notReady]);

const ok: { name: string; dest: Parameters<typeof resolveDestination>[0]; want: ResolvedSink }[] = [
  { name: 'absolute uri kept verbatim', dest: { uri: 'http://example.test' }, want: { uri: 'http://example.test' } },
  {
    name: 'uri with CACerts and audience',
    dest: { uri: 'https://x.test/in', CACerts: 'PEM', audience: 'aud' },
    want: { uri: 'https://x.test/in', caCerts: 'PEM', audience: 'aud' },
  },
  {
    name: 'core Service on port 80',
    dest: { ref: { apiVersion: 'v1', kind: 'Service', name: 'web' } },
    want: { uri: 'http://web.ns.svc.cluster.local' },
  },
  {
    name: 'core Service with another port',
    dest: { ref: { apiVersion: 'v1', kind: 'Service', name: 'alt' } },
    want: { uri: 'http://alt.ns.svc.cluster.local:8080' },
  },
  {
    name: 'ref in another namespace',
    dest: { ref: { apiVersion: 'v1', kind: 'Service', name: 'other', namespace: 'elsewhere' } },
    want: { uri: 'http://other.elsewhere.svc.cluster.local' },
  },
  {
    name: 'Knative Service prefers the cluster-local address',
    dest: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'fn' } },
    want: { uri: 'http://fn.ns.svc.cluster.local' },
  },
  {
    name: 'Knative Service with only status.url',
    dest: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'fn2' } },
    want: { uri: 'http://fn2.ns.example.com' },
  },
  {
    name: 'Addressable with CA certs',
    dest: { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'default' } },
    want: { uri: 'https://broker.ns.svc', caCerts: 'PEM-B' },
  },
  {
    name: 'uri relative to the ref',
    dest: { ref: { apiVersion: 'v1', kind: 'Service', name: 'alt' }, uri: '/events' },
    want: { uri: 'http://alt.ns.svc.cluster.local:8080/events' },
  },
  {
    name: "Destination's CACerts win over the Addressable's",
    dest: { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'default' }, CACerts: 'MINE' },
    want: { uri: 'https://broker.ns.svc', caCerts: 'MINE' },
  },
];

const bad: { name: string; dest: Parameters<typeof resolveDestination>[0]; reason: string; field: string; text: RegExp }[] = [
  { name: 'nothing set', dest: {}, reason: 'SinkInvalid', field: 'spec.sink', text: /neither ref nor uri/ },
  { name: 'undefined', dest: undefined, reason: 'SinkInvalid', field: 'spec.sink', text: /set one of them/ },
  { name: 'relative uri alone', dest: { uri: '/x' }, reason: 'SinkInvalid', field: 'spec.sink.uri', text: /not an absolute URI/ },
  { name: 'ftp uri', dest: { uri: 'ftp://h/x' }, reason: 'SinkInvalid', field: 'spec.sink.uri', text: /not http or https/ },
  {
    name: 'missing ref',
    dest: { ref: { apiVersion: 'v1', kind: 'Service', name: 'nope' } },
    reason: 'SinkNotFound',
    field: 'spec.sink.ref',
    text: /Service ns\/nope \(v1\) does not exist/,
  },
  {
    name: 'ref without address',
    dest: { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: 'pending' } },
    reason: 'SinkNotAddressable',
    field: 'spec.sink.ref',
    text: /no status.address.url/,
  },
];

describe('resolveDestination', () => {
  it.each(ok)('$name', ({ dest, want }) => {
    expect(resolveDestination(dest, { namespace: 'ns', field: 'spec.sink' }, world)).toEqual(want);
  });

  it.each(bad)('rejects: $name', ({ dest, reason, field, text }) => {
    let caught: unknown;
    try {
      resolveDestination(dest, { namespace: 'ns', field: 'spec.sink' }, world);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SinkResolutionError);
    const e = caught as SinkResolutionError;
    expect(e.reason).toBe(reason);
    expect(e.field).toBe(field);
    expect(e.message).toMatch(text);
    expect(e.message.startsWith(`${field}:`)).toBe(true);
  });
});

describe('gvkOfReference', () => {
  it('knows common Addressables and pluralises the rest', () => {
    expect(gvkOfReference('v1', 'Service')).toMatchObject({ group: '', version: 'v1', plural: 'services' });
    expect(gvkOfReference('example.com/v2', 'Policy')).toMatchObject({ group: 'example.com', version: 'v2', plural: 'policies' });
    expect(defaultPlural('Gateway')).toBe('gateways');
    expect(defaultPlural('Ingress')).toBe('ingresses');
  });
});
