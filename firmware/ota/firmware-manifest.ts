import { encodeCbor } from '../codec/cbor-encode.js';
import type { CryptoProvider } from '../crypto/crypto-provider.js';
import type { NodeIdentity } from '../identity/node-id.js';

/**
 * What the hub vouches for when it publishes a firmware image: the board it
 * is built for, its version, its size and its SHA-256. The hub's Ed25519
 * signature covers the deterministic CBOR (RFC 8949 §4.2) of
 *   ["fazt/firmware/v1", board, version, size, sha256]
 * so a node with the hub key of its configuration can check an image it
 * streamed before it lets the bootloader run it.
 */
export interface FirmwareManifest {
  board: string;
  version: string;
  size: number;
  /** 32 bytes. */
  sha256: Uint8Array;
}

const DOMAIN = 'fazt/firmware/v1';
const BOARD_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const FIRMWARE_VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$/;
/** An ESP32 app partition is at most 16 MB; no image is bigger. */
const MAX_IMAGE_BYTES = 16 * 1024 * 1024;

/** Checks a manifest's fields, naming the first that is wrong (TypeError/RangeError). */
export function checkManifest(m: FirmwareManifest, where = 'manifest'): FirmwareManifest {
  if (typeof m.board !== 'string' || !BOARD_ID.test(m.board)) throw new TypeError(`${where}.board must be a board id, got ${JSON.stringify(m.board)}`);
  if (typeof m.version !== 'string' || !FIRMWARE_VERSION_PATTERN.test(m.version))
    throw new TypeError(`${where}.version must be 1..32 of [0-9A-Za-z.+-] (e.g. 0.2.0), got ${JSON.stringify(m.version)}`);
  if (!Number.isSafeInteger(m.size) || m.size < 1 || m.size > MAX_IMAGE_BYTES)
    throw new RangeError(`${where}.size must be 1..${MAX_IMAGE_BYTES} bytes, got ${String(m.size)}`);
  if (!(m.sha256 instanceof Uint8Array) || m.sha256.length !== 32) throw new TypeError(`${where}.sha256 must be 32 bytes`);
  return m;
}

/** The bytes the hub signs. */
function manifestBytes(m: FirmwareManifest): Uint8Array {
  checkManifest(m);
  return encodeCbor([DOMAIN, m.board, m.version, m.size, m.sha256]);
}

export function signManifest(m: FirmwareManifest, hub: NodeIdentity, crypto: CryptoProvider): Uint8Array {
  return crypto.sign(manifestBytes(m), hub.secretKey);
}

/** Whether `sig` is the hub key's signature over the manifest. */
export function verifyManifest(m: FirmwareManifest, sig: Uint8Array, hubKey: Uint8Array, crypto: CryptoProvider): boolean {
  return crypto.verify(sig, manifestBytes(m), hubKey);
}
