/**
 * What kube-proxy would program, computed from Services and the EndpointSlices the controller-manager
 * keeps for them: for each Service port, the ready Pod addresses and target ports behind it. Pure.
 */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';

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

export function serviceRoutes(services: readonly V1Service[], slices: readonly V1EndpointSlice[]): ServiceRoute[] {
  const routes: ServiceRoute[] = [];
  for (const svc of services) {
    const namespace = svc.metadata?.namespace ?? 'default';
    const name = svc.metadata?.name ?? '';
    if (svc.spec?.type === 'ExternalName') continue;
    const own = slices.filter(
      (s) => s.metadata?.namespace === namespace && s.metadata?.labels?.['kubernetes.io/service-name'] === name && s.addressType === 'IPv4',
    );
    const ports = (svc.spec?.ports ?? [])
      .filter((p) => (p.protocol ?? 'TCP') === 'TCP')
      .map<RoutePort>((sp) => {
        const portName = sp.name ?? '';
        const targets: Target[] = [];
        for (const slice of own) {
          const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === 'TCP');
          if (slicePort?.port === undefined) continue;
          for (const ep of slice.endpoints) {
            // Unset `ready` means ready (discovery.k8s.io/v1); terminating endpoints get no new connections.
            if (ep.conditions?.ready === false || ep.conditions?.terminating === true) continue;
            const ip = ep.addresses[0];
            if (ip) targets.push({ ip, port: slicePort.port });
          }
        }
        targets.sort((a, b) => `${a.ip}:${a.port}`.localeCompare(`${b.ip}:${b.port}`));
        return { port: sp.port, name: portName, targets };
      });
    routes.push({ key: `${namespace}/${name}`, namespace, name, headless: svc.spec?.clusterIP === 'None', ports });
  }
  return routes.sort((a, b) => a.key.localeCompare(b.key));
}
