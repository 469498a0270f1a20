/**
 * A throw-away PKI for the auth tests, made with the openssl CLI: one CA, a server certificate for 127.0.0.1 and a
 * client certificate (for mutual TLS), all PEM. Keys are PKCS#8 (`BEGIN PRIVATE KEY`), which Kafka's PEM key
 * store reads as well as Node and Redis do.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  cert: string;
  key: string;
}

export interface TestPki {
  caCert: string;
  server: KeyPair;
  client: KeyPair;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function issue(dir: string, name: string, subject: string, extensions: string): KeyPair {
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`,
  ]);
  return { cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
}

export function makeTestPki(commonName = 'headwater-auth-test-ca'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'headwater-pki-'));
  try {
    openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=${commonName}`]);
    return {
      caCert: readFileSync(join(dir, 'ca.crt'), 'utf8'),
      server: issue(dir, 'server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n'),
      client: issue(dir, 'client', '/CN=headwater-adapter', 'extendedKeyUsage=clientAuth\n'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
