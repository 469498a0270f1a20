/**
 * A private redis-server on 127.0.0.1 that requires a password (`--requirepass`), with a second, TLS-only port
 * when given a PKI (this redis-server is built with TLS; clients are not asked for a certificate). No persistence:
 * everything goes with the process.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../../lib/net/free-port.js';
import type { TestPki } from './pki.js';
import { makeServerDir, spawnServer } from './server-process.js';

export interface AuthRedis {
  /** `127.0.0.1:{port}` (plain TCP, password required). */
  readonly address: string;
  /** `127.0.0.1:{tlsPort}` when started with a PKI. */
  readonly tlsAddress?: string;
  readonly password: string;
  /** An authenticated client for the test's own writes and checks. */
  readonly admin: Redis;
  stop(): Promise<void>;
}

export async function startAuthRedis(password: string, pki?: TestPki): Promise<AuthRedis> {
  const dir = makeServerDir('redis-auth');
  const port = await freePort();
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--requirepass', password, '--save', '', '--appendonly', 'no', '--dir', dir];
  let tlsPort: number | undefined;
  if (pki) {
    tlsPort = await freePort();
    writeFileSync(join(dir, 'server.crt'), pki.server.cert);
    writeFileSync(join(dir, 'server.key'), pki.server.key);
    writeFileSync(join(dir, 'ca.crt'), pki.caCert);
    args.push('--tls-port', String(tlsPort), '--tls-cert-file', 'server.crt', '--tls-key-file', 'server.key', '--tls-ca-cert-file', 'ca.crt', '--tls-auth-clients', 'no');
  }
  const server = spawnServer('redis-server', dir, 'redis-server', args);
  try {
    await server.waitForOutput(/Ready to accept connections/, 20_000);
  } catch (err) {
    await server.stop();
    throw err;
  }
  const admin = new Redis({ host: '127.0.0.1', port, password, lazyConnect: false });
  return {
    address: `127.0.0.1:${port}`,
    ...(tlsPort === undefined ? {} : { tlsAddress: `127.0.0.1:${tlsPort}` }),
    password,
    admin,
    async stop() {
      admin.disconnect();
      await server.stop();
    },
  };
}
