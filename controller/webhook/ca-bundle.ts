/**
 * Every controller replica makes its own CA at start, and the Service may route the apiserver to any of
 * them, so the registration's caBundle must trust all live replicas: each replica adds its CA to the
 * bundle instead of replacing it, and expired or surplus old CAs are pruned. (Sharing one CA through a
 * Secret would need the controller to read Secrets, which its RBAC deliberately does not allow.)
 */
import { X509Certificate } from 'node:crypto';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** How many CAs a bundle keeps: enough for a few replicas and a rolling update, small enough to stay tidy. */
export const MAX_BUNDLE_CAS = 8;

export function mergeCaBundle(existingPem: string, addPem: string, now: Date, keep = MAX_BUNDLE_CAS): string {
  const byFingerprint = new Map<string, { pem: string; validFrom: number }>();
  const blocks = [...(existingPem.match(PEM_BLOCK) ?? []), ...(addPem.match(PEM_BLOCK) ?? [])];
  const added = new Set((addPem.match(PEM_BLOCK) ?? []).map((p) => p.trim()));
  for (const pem of blocks) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      continue; // Unparseable garbage in someone's bundle protects nobody.
    }
    if (Date.parse(cert.validTo) < now.getTime() && !added.has(pem.trim())) continue;
    byFingerprint.set(cert.fingerprint256, { pem: pem.trim(), validFrom: Date.parse(cert.validFrom) });
  }
  const newestFirst = [...byFingerprint.values()].sort((a, b) => b.validFrom - a.validFrom);
  // The CA being added always stays, even when the clocks make it look older than the others.
  const kept = newestFirst.filter((c) => added.has(c.pem));
  for (const c of newestFirst) if (kept.length < keep && !kept.includes(c)) kept.push(c);
  return `${kept.map((c) => c.pem).join('\n')}\n`;
}
