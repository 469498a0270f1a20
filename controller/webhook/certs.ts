/**
 * The webhook's TLS material: a self-signed CA and a serving certificate it signs, made at start. The
 * apiserver trusts the CA through the `caBundle` of the ValidatingWebhookConfiguration, so no cert-manager
 * is needed. ECDSA P-256 through WebCrypto keeps generation in the millisecond range.
 */
// tsyringe (used inside @peculiar/x509) needs the Reflect metadata API before the library loads.
import 'reflect-metadata';
import { isIP } from 'node:net';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

export interface WebhookCertificates {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export interface CertificateOptions {
  /** DNS names and IP addresses the serving certificate is valid for. */
  hosts: readonly string[];
  validityDays?: number;
  now?: () => Date;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

// The library types WebCrypto with the DOM `Crypto`; Node's webcrypto is that object but typed separately.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[1]);

function serial(): string {
  // Positive serial: the top bit of the first byte is clear.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function pemKey(der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PRIVATE KEY-----\n${b64.trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

export async function generateWebhookCertificates(opts: CertificateOptions): Promise<WebhookCertificates> {
  const now = opts.now?.() ?? new Date();
  // Back-date a little so a clock skew between us and the apiserver does not make the cert "not yet valid".
  const notBefore = new Date(now.getTime() - 5 * 60_000);
  const notAfter = new Date(now.getTime() + (opts.validityDays ?? 365) * 86_400_000);

  const caKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=headwater-webhook-ca,O=headwater',
    notBefore,
    notAfter,
    keys: caKeys as webcrypto.CryptoKeyPair,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create((caKeys as webcrypto.CryptoKeyPair).publicKey),
    ],
  });

  const leafKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const names = opts.hosts.map((h) => (isIP(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }));
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${opts.hosts[0] ?? 'headwater-webhook'}`,
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: (caKeys as webcrypto.CryptoKeyPair).privateKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false),
    ],
  });

  return {
    caPem: ca.toString('pem'),
    certPem: leaf.toString('pem'),
    keyPem: pemKey(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey)),
  };
}
