/**
 * Which process listens on a loopback TCP port: the broker a benchmark talks to (Kafka, nats-server,
 * redis-server), found from the port it is reached on, whoever started it. Linux /proc only: the listening
 * socket's inode from /proc/net/tcp{,6}, then the process holding a descriptor to it.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const listenState = '0A';

function listeningInodes(port: number): Set<string> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== listenState) continue;
      if (f[1]?.split(':').pop() === hexPort && f[9] !== undefined && f[9] !== '0') inodes.add(f[9]);
    }
  }
  return inodes;
}

/** The pid listening on `port`, or undefined when none is visible to this user. */
export function pidListeningOn(port: number): number | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  const wanted = new Set([...inodes].map((i) => `socket:[${i}]`));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      try {
        if (wanted.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) return Number(entry);
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/** The port of a `host:port` or a URL (redis://…, nats://…), for `pidListeningOn`. */
export function portOf(address: string): number {
  const m = /:(\d+)(?:\/.*)?$/.exec(address.trim());
  if (m?.[1] === undefined) throw new Error(`no port in ${address}`);
  return Number(m[1]);
}

/** A server the adapter reads from (the broker), as the benchmarks account for its CPU. */
export interface BrokerProcess {
  name: string;
  pid: number;
}

/** The broker behind `address` if it runs on this machine and we may read its /proc entries. */
export function brokerProcess(name: string, address: string): BrokerProcess | undefined {
  let port: number;
  try {
    port = portOf(address);
  } catch {
    return undefined;
  }
  const pid = pidListeningOn(port);
  return pid === undefined ? undefined : { name, pid };
}
