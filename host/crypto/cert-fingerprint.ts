import { createHash } from 'node:crypto';

/**
 * A certificate's fingerprint as Fazt shows and pins it: `sha256:` and the
 * SHA-256 of the certificate's DER in 64 lowercase hex digits (the form
 * `openssl x509 -fingerprint -sha256` prints, colons and capitals included,
 * is accepted too).
 */
export type CertFingerprint = `sha256:${string}`;

export function certFingerprint(der: Uint8Array): CertFingerprint {
  return `sha256:${createHash('sha256').update(der).digest('hex')}`;
}

/** The fingerprint in `text`, normalised; `what` names the flag or field in the error. */
export function parseFingerprint(text: string, what: string): CertFingerprint {
  const hex = text
    .trim()
    .replace(/^sha256:/i, '')
    .replace(/:/g, '')
    .toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new TypeError(`${what} '${text}' is not a certificate fingerprint (sha256: and 64 hex digits)`);
  return `sha256:${hex}`;
}
