/**
 * Readiness and liveness probes against a Pod's own loopback address, as the kubelet runs them:
 * httpGet (2xx/3xx is success) and tcpSocket. exec probes need a container to exec into, which the
 * runner does not have, so they fail with a message that says so.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import type { V1ContainerPort, V1Probe } from '@kubernetes/client-node';

export interface ProbeResult {
  ok: boolean;
  message?: string;
}

/** Resolves a probe's port (number, numeric string, or a named container port). Pure. */
export function probePort(port: number | string, ports: readonly V1ContainerPort[] | undefined): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return ports?.find((p) => p.name === port)?.containerPort;
}

function httpProbe(host: string, port: number, path: string, timeoutMs: number, headers: Record<string, string>): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', timeout: timeoutMs, headers: { 'User-Agent': 'kube-probe/headwater-runner', ...headers } }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${status}` });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs}ms`)));
    req.on('error', (err) => resolve({ ok: false, message: `Get "http://${host}:${port}${path}": ${err.message}` }));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('timeout', () => socket.destroy(new Error(`timeout after ${timeoutMs}ms`)));
    socket.once('error', (err) => resolve({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }));
  });
}

export function runProbe(probe: V1Probe, podIP: string, ports: readonly V1ContainerPort[] | undefined): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const port = probePort(probe.httpGet.port as number | string, ports);
    if (port === undefined) return Promise.resolve({ ok: false, message: `probe port ${String(probe.httpGet.port)} names no container port` });
    if ((probe.httpGet.scheme ?? 'HTTP') !== 'HTTP') return Promise.resolve({ ok: false, message: 'HTTPS probes are not supported by the local node runner' });
    const headers: Record<string, string> = {};
    for (const h of probe.httpGet.httpHeaders ?? []) headers[h.name] = h.value;
    return httpProbe(probe.httpGet.host || podIP, port, probe.httpGet.path ?? '/', timeoutMs, headers);
  }
  if (probe.tcpSocket) {
    const port = probePort(probe.tcpSocket.port as number | string, ports);
    if (port === undefined) return Promise.resolve({ ok: false, message: `probe port ${String(probe.tcpSocket.port)} names no container port` });
    return tcpProbe(probe.tcpSocket.host || podIP, port, timeoutMs);
  }
  return Promise.resolve({ ok: false, message: 'exec and grpc probes are not supported by the local node runner (no container to exec into)' });
}
