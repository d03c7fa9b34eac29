import { createDecipheriv } from 'node:crypto';
import {
  type BthomeEncryptedPacket,
  BthomeError,
  type BthomeObject,
  type BthomeParseOptions,
  parseBthome,
  parseBthomeObjects,
  withMeta,
} from '../../firmware/ble/bthome.js';
import { bthomeNonce, parseMac } from '../../firmware/ble/bthome-nonce.js';

/** A decrypted packet: still `encrypted` (it came encrypted), now with its objects. */
export type BthomeDecryptedPacket = BthomeEncryptedPacket & { objects: BthomeObject[] };

/**
 * Decrypts and parses encrypted BTHome v2 service data (bthome.io/encryption):
 * AES-128-CCM with a 4-byte tag over the 13-byte nonce of MAC, UUID, device
 * information and counter. `mac` is the sender's address as the scanner
 * reports it ("AA:BB:CC:DD:EE:FF"). A wrong key, MAC or altered byte is
 * 'bad-mic'; plaintext data is 'not-encrypted' (a caller holding a key
 * treats it as a downgrade). The objects' offsets count in the decrypted
 * payload.
 */
export function decryptBthome(data: Uint8Array, mac: string, key: Uint8Array, o: BthomeParseOptions = {}): BthomeDecryptedPacket {
  if (!(key instanceof Uint8Array) || key.length !== 16)
    throw new BthomeError('bad-key', `a BTHome key is 16 bytes (32 hex digits), this one is ${key?.length ?? 0}`);
  const macBytes = parseMac(mac);
  const packet = parseBthome(data, o);
  if (!packet.encrypted) throw new BthomeError('not-encrypted', 'the packet is not encrypted (device information bit 0 is 0)');
  const decipher = createDecipheriv('aes-128-ccm', key, bthomeNonce(macBytes, packet.deviceInfo, packet.counter), { authTagLength: 4 });
  decipher.setAuthTag(packet.mic);
  let plain: Uint8Array;
  try {
    plain = new Uint8Array(Buffer.concat([decipher.update(packet.ciphertext), decipher.final()]));
  } catch {
    throw new BthomeError('bad-mic', `the message integrity check fails for ${mac} (wrong key or MAC, or altered data; counter ${packet.counter})`);
  }
  return withMeta(packet, parseBthomeObjects(plain, o)) as BthomeDecryptedPacket;
}
