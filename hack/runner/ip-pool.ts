/**
 * Hands out addresses from a CIDR inside 127.0.0.0/8 (all of it is loopback on Linux), one per Pod or
 * Service, so every Pod can listen on its own port 8080 as it would in a real cluster.
 */
import { RunnerConfigError } from './errors.js';

function toInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new RunnerConfigError(`not an IPv4 address: ${ip}`);
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

function toIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export class IpPool {
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Map<string, string>(); // ip → owner
  private next: number;

  constructor(readonly cidr: string) {
    const [base, bitsText] = cidr.split('/');
    const bits = Number(bitsText);
    if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) throw new RunnerConfigError(`bad CIDR ${cidr}: want a.b.c.d/8..30`);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    const network = (toInt(base) & mask) >>> 0;
    if (network >>> 24 !== 127) throw new RunnerConfigError(`CIDR ${cidr} is not inside 127.0.0.0/8: only loopback addresses need no setup`);
    // Skip the network and broadcast addresses, and 127.0.0.1 (the host's own services live there).
    this.first = network + 1;
    this.last = (network | (~mask >>> 0)) - 1;
    this.next = this.first;
  }

  contains(ip: string): boolean {
    const n = toInt(ip);
    return n >= this.first && n <= this.last;
  }

  /** Marks an address as taken (e.g. a Pod that already had it before the runner restarted). */
  reserve(ip: string, owner: string): boolean {
    if (!this.contains(ip)) return false;
    const holder = this.used.get(ip);
    if (holder !== undefined && holder !== owner) return false;
    this.used.set(ip, owner);
    return true;
  }

  /** Round-robin through the range so a freed address is not handed out again at once. */
  allocate(owner: string): string {
    for (const [ip, o] of this.used) if (o === owner) return ip;
    const size = this.last - this.first + 1;
    for (let i = 0; i < size; i++) {
      const candidate = this.next;
      this.next = candidate >= this.last ? this.first : candidate + 1;
      const ip = toIp(candidate);
      if (ip === '127.0.0.1' || this.used.has(ip)) continue;
      this.used.set(ip, owner);
      return ip;
    }
    throw new RunnerConfigError(`address range ${this.cidr} is exhausted`, { cidr: this.cidr, size });
  }

  release(owner: string): void {
    for (const [ip, o] of this.used) if (o === owner) this.used.delete(ip);
  }
}
