/**
 * What kube-proxy would program: for each Service port, the ready Pod addresses and target ports
 * behind it. Computed from Services and Pods directly, not from EndpointSlices: the apiserver refuses
 * endpoint addresses in 127.0.0.0/8, so the controller-manager cannot publish our Pods' addresses
 * (it logs FailedToUpdateEndpointSlices for every Service with Pods here). Pure.
 */
import type { V1Pod, V1Service, V1ServicePort } from '@kubernetes/client-node';

export interface Target {
  ip: string;
  port: number;
}

export interface RoutePort {
  port: number;
  name: string;
  targets: Target[];
}

export interface ServiceRoute {
  key: string;
  namespace: string;
  name: string;
  /** clusterIP None: names resolve to a Pod address directly, nothing to forward. */
  headless: boolean;
  ports: RoutePort[];
}

function selects(selector: Record<string, string>, pod: V1Pod): boolean {
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function isServing(pod: V1Pod, publishNotReady: boolean): boolean {
  if (!pod.status?.podIP || pod.metadata?.deletionTimestamp) return false;
  const phase = pod.status.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  return publishNotReady || (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** The Service port's targetPort on this Pod: a number, or a container port's name (as the endpoints controller resolves it). */
export function targetPortOf(sp: V1ServicePort, pod: V1Pod): number | undefined {
  const target = sp.targetPort as number | string | undefined;
  if (target === undefined || target === '') return sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    const found = (c.ports ?? []).find((p) => p.name === target && (p.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'));
    if (found) return found.containerPort;
  }
  return undefined;
}

export function serviceRoutes(services: readonly V1Service[], pods: readonly V1Pod[]): ServiceRoute[] {
  const routes: ServiceRoute[] = [];
  for (const svc of services) {
    const namespace = svc.metadata?.namespace ?? 'default';
    const name = svc.metadata?.name ?? '';
    const selector = svc.spec?.selector;
    // ExternalName has nothing to forward; a Service without selector has hand-made endpoints, which cannot hold loopback addresses.
    if (svc.spec?.type === 'ExternalName' || !selector || Object.keys(selector).length === 0) continue;
    const backends = pods.filter(
      (p) => p.metadata?.namespace === namespace && selects(selector, p) && isServing(p, svc.spec?.publishNotReadyAddresses === true),
    );
    const ports = (svc.spec?.ports ?? [])
      .filter((p) => (p.protocol ?? 'TCP') === 'TCP')
      .map<RoutePort>((sp) => {
        const targets: Target[] = [];
        for (const pod of backends) {
          const port = targetPortOf(sp, pod);
          if (port !== undefined) targets.push({ ip: pod.status?.podIP as string, port });
        }
        targets.sort((a, b) => `${a.ip}:${a.port}`.localeCompare(`${b.ip}:${b.port}`));
        return { port: sp.port, name: sp.name ?? '', targets };
      });
    routes.push({ key: `${namespace}/${name}`, namespace, name, headless: svc.spec?.clusterIP === 'None', ports });
  }
  return routes.sort((a, b) => a.key.localeCompare(b.key));
}
