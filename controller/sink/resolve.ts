/**
 * Destination → URI, as Knative's resolver does: a ref is looked up and its address read, a `uri` is either
 * absolute or resolved relative to the ref's address. Pure apart from the lookup, which a caller backs with
 * the informer caches (production) or a map (tests).
 */
import type { Destination, KReference } from '../../api/index.js';
import type { KubeObject, Lister } from '../runtime/types.js';
import { SinkResolutionError } from './errors.js';
import { gvkOfReference, splitApiVersion } from './kinds.js';

export interface ResolvedSink {
  uri: string;
  /** PEM to trust for an HTTPS sink: the Destination's own CACerts, else the Addressable's. */
  caCerts?: string;
  audience?: string;
}

export interface SinkLookup {
  get(ref: KReference & { namespace: string }): KubeObject | undefined;
}

export function listerSinkLookup(lister: Lister): SinkLookup {
  return {
    get: (ref) => lister.get(gvkOfReference(ref.apiVersion, ref.kind), { namespace: ref.namespace, name: ref.name }),
  };
}

export interface ResolveOptions {
  /** Namespace of the object holding the Destination; a ref without a namespace points here. */
  namespace: string;
  /** Spec path of the Destination, for messages (`spec.sink`, `spec.subscribers[1].sink`). */
  field: string;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

interface Address {
  url: string;
  caCerts?: string;
}

/** The address an object publishes, or undefined when it is not (yet) addressable. */
export function addressOf(obj: KubeObject): Address | undefined {
  const { group } = splitApiVersion(obj.apiVersion);
  if (group === '' && obj.kind === 'Service') return coreServiceAddress(obj);
  const status = record(obj.status);
  const address = record(status?.address);
  const url = nonEmptyString(address?.url) ?? (group === 'serving.knative.dev' ? nonEmptyString(status?.url) : undefined);
  if (url === undefined) return undefined;
  const caCerts = nonEmptyString(address?.CACerts);
  return caCerts === undefined ? { url } : { url, caCerts };
}

function coreServiceAddress(svc: KubeObject): Address {
  const ports = record(svc.spec)?.ports;
  const first = Array.isArray(ports) ? record(ports[0]) : undefined;
  const port = typeof first?.port === 'number' ? first.port : 80;
  const host = `${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`;
  return { url: port === 80 ? `http://${host}` : `http://${host}:${port}` };
}

function parseAbsolute(uri: string, field: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    throw new SinkResolutionError(
      'SinkInvalid',
      `${field}.uri`,
      `"${uri}" is not an absolute URI; give a full http(s) URL or add a ref it is relative to`,
      { uri },
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SinkResolutionError('SinkInvalid', `${field}.uri`, `scheme "${parsed.protocol}" is not http or https`, {
      uri,
    });
  }
  return parsed;
}

function describe(ref: KReference, namespace: string): string {
  return `${ref.kind} ${namespace}/${ref.name} (${ref.apiVersion})`;
}

/** Throws SinkResolutionError naming the field and the fix. */
export function resolveDestination(
  dest: Destination | undefined,
  opts: ResolveOptions,
  lookup: SinkLookup,
): ResolvedSink {
  const { field } = opts;
  if (dest === undefined || (dest.ref === undefined && (dest.uri === undefined || dest.uri === ''))) {
    throw new SinkResolutionError('SinkInvalid', field, 'neither ref nor uri is set; set one of them');
  }
  const extras = (caCerts: string | undefined): Omit<ResolvedSink, 'uri'> => {
    const out: Omit<ResolvedSink, 'uri'> = {};
    const ca = nonEmptyString(dest.CACerts) ?? caCerts;
    if (ca !== undefined) out.caCerts = ca;
    if (nonEmptyString(dest.audience) !== undefined) out.audience = dest.audience;
    return out;
  };

  if (dest.ref === undefined) {
    // Keep the URI as the user wrote it (URL#toString would add a trailing slash to a bare host).
    const uri = dest.uri as string;
    parseAbsolute(uri, field);
    return { uri, ...extras(undefined) };
  }

  const ref = dest.ref;
  const namespace = ref.namespace ?? opts.namespace;
  const target = lookup.get({ ...ref, namespace });
  if (target === undefined) {
    throw new SinkResolutionError(
      'SinkNotFound',
      `${field}.ref`,
      `${describe(ref, namespace)} does not exist; create it or point the ref at an existing object`,
      { ref: { ...ref, namespace } },
    );
  }
  const address = addressOf(target);
  if (address === undefined) {
    throw new SinkResolutionError(
      'SinkNotAddressable',
      `${field}.ref`,
      `${describe(ref, namespace)} has no status.address.url; point the ref at an Addressable (Knative Service, core Service, Broker…) or wait until it publishes an address`,
      { ref: { ...ref, namespace } },
    );
  }
  const base = parseAbsolute(address.url, `${field}.ref(status.address)`);
  if (dest.uri === undefined || dest.uri === '') return { uri: address.url, ...extras(address.caCerts) };
  let joined: URL;
  try {
    joined = new URL(dest.uri, base);
  } catch {
    throw new SinkResolutionError('SinkInvalid', `${field}.uri`, `"${dest.uri}" cannot be resolved against ${base}`, {
      uri: dest.uri,
    });
  }
  return { uri: joined.toString(), ...extras(address.caCerts) };
}
