import { createPrivateKey, X509Certificate, webcrypto } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { toBase64url, toHex } from '../../../firmware/codec/text-encodings.js';
import type { NodeIdentity } from '../../../firmware/identity/node-id.js';
import { certFingerprint, type CertFingerprint } from '../../crypto/cert-fingerprint.js';

/** A copy of the certificate in the data folder, for tools; the cartridge holds the one served. */
export const HUB_CERT_FILE = 'hub-cert.pem';

/** What the hub's TLS server needs, and what clients pin. */
export interface HubCertificate {
  cert: string;
  key: string;
  fingerprint: CertFingerprint;
}

const ED25519 = { name: 'Ed25519' };

function jwk(identity: NodeIdentity) {
  return { kty: 'OKP', crv: 'Ed25519', x: toBase64url(identity.publicKey), d: toBase64url(identity.secretKey) };
}

/** The hub key as the PKCS#8 PEM node:tls reads. */
function keyPem(identity: NodeIdentity): string {
  return createPrivateKey({ key: jwk(identity), format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** The certificate in `pem` when it is for this key and still valid; undefined otherwise (none, unreadable, another key, expired). */
function valid(pem: string | Buffer | undefined, identity: NodeIdentity, now: number): X509Certificate | undefined {
  if (pem === undefined) return undefined;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return undefined;
  }
  const raw = cert.publicKey.asymmetricKeyType === 'ed25519' ? (cert.publicKey.export({ format: 'jwk' }).x ?? '') : '';
  if (raw !== toBase64url(identity.publicKey) || Date.parse(cert.validTo) <= now) return undefined;
  return cert;
}

function readIfThere(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Where the certificate is kept: the cartridge (host/store/hub-identity.ts), so a restored hub serves the one clients pinned. */
export interface CertificateSlot {
  certificate(): string | undefined;
  setCertificate(pem: string): void;
}

/**
 * A self-signed X.509 certificate for the hub's own Ed25519 key, made with
 * @peculiar/x509 on Node's WebCrypto: subject CN = the hub's id; alternative
 * names localhost, 127.0.0.1, ::1 and `listenHost` when it is one address;
 * valid from a day before `now` to 9999-12-31 (RFC 5280 §4.1.2.5: no
 * expiry). Clients trust it by its fingerprint, never by a CA or by name.
 */
async function make(identity: NodeIdentity, listenHost: string, now: number): Promise<string> {
  await import('reflect-metadata'); // before @peculiar/x509 loads tsyringe, which needs the Reflect metadata API
  const x509 = await import('@peculiar/x509');
  const subtle = webcrypto.subtle;
  const privateKey = await subtle.importKey('jwk', jwk(identity), ED25519, false, ['sign']);
  const publicKey = await subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: toBase64url(identity.publicKey) }, ED25519, true, ['verify']);
  const ips = new Set(['127.0.0.1', '::1']);
  if (isIP(listenHost) && listenHost !== '0.0.0.0' && listenHost !== '::') ips.add(listenHost);
  const names = [{ type: 'dns' as const, value: 'localhost' }, ...[...ips].map((value) => ({ type: 'ip' as const, value }))];
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01' + toHex(identity.publicKey).slice(0, 30), // positive, unique per key
      name: `CN=${identity.id}`,
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date('9999-12-31T23:59:59Z'),
      signingAlgorithm: ED25519,
      keys: { privateKey, publicKey },
      extensions: [new x509.SubjectAlternativeNameExtension(names), new x509.BasicConstraintsExtension(false, undefined, true)],
    },
    webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
  );
  return cert.toString('pem');
}

/**
 * The hub's certificate, kept in `slot` (the cartridge), made when missing,
 * when it is for another key or when expired. It is not remade when the
 * listen address changes: its fingerprint is what clients pinned, and they
 * never check names. A data folder from before the cartridge kept it
 * brings its `hub-cert.pem` in once. `<dataDir>/hub-cert.pem` is written as
 * a copy for tools (openssl); the cartridge's is the one served.
 */
export async function loadOrCreateHubCertificate(
  slot: CertificateSlot,
  dataDir: string,
  identity: NodeIdentity,
  listenHost: string,
  now = Date.now(),
): Promise<HubCertificate> {
  const file = join(dataDir, HUB_CERT_FILE);
  const onDisk = readIfThere(file);
  let cert = valid(slot.certificate(), identity, now) ?? valid(onDisk, identity, now);
  if (!cert) cert = new X509Certificate(await make(identity, listenHost, now));
  const pem = cert.toString();
  if (slot.certificate() !== pem) slot.setCertificate(pem);
  if (onDisk?.toString() !== pem) {
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, pem, { mode: 0o644 });
      renameSync(tmp, file);
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  return { cert: pem, key: keyPem(identity), fingerprint: certFingerprint(cert.raw) };
}

/** The fingerprint of the certificate the hub serves, when it has made one for this key (fazt invite reads it; undefined before the first start beyond loopback). */
export function hubCertificateFingerprint(slot: CertificateSlot, identity: NodeIdentity, now = Date.now()): CertFingerprint | undefined {
  const cert = valid(slot.certificate(), identity, now);
  return cert && certFingerprint(cert.raw);
}
