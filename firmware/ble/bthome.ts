import type { Advertisement } from '../../hal/contracts/io.js';
import { BthomeError } from './bthome-error.js';
import { bthomeObjectSpec } from './bthome-objects.js';
import { type BthomeObject, hex2, readObject } from './bthome-read-object.js';

export { BthomeError } from './bthome-error.js';
export type { BthomeObject } from './bthome-read-object.js';

/**
 * BTHome v2 service data (bthome.io/format): a device information byte,
 * then either objects (an id byte and its value, little-endian) or, when
 * encrypted (bthome.io/encryption), ciphertext + a 4-byte counter + a 4-byte
 * MIC. Portable: runs on Node and in XS; decryption is host/ble/bthome-decrypt.ts.
 */

/** The BTHome service UUID (0xFCD2) as the simulator's BLE air keys service data. */
export const BTHOME_UUID = 'fcd2';
/** The same UUID in the 128-bit form BlueZ reports (Bluetooth base UUID). */
export const BTHOME_UUID_128 = '0000fcd2-0000-1000-8000-00805f9b34fb';

interface BthomeHeader {
  version: 2;
  /** The device information byte as sent. */
  deviceInfo: number;
  /** Bit 2: the device advertises on events, not at a regular interval. */
  triggerBased: boolean;
  /** Objects the parser did not reach because of an unknown id (only with `unknown: 'stop'`). */
  stoppedAt?: { offset: number; id: number };
  /** True when an object id is lower than the one before it (the spec wants ascending ids; they are kept as sent). */
  outOfOrder?: boolean;
}

interface BthomePlainPacket extends BthomeHeader {
  encrypted: false;
  objects: BthomeObject[];
  /** Object 0x00, when present. */
  packetId?: number;
}

/** An encrypted packet: `objects` (and `packetId`) only once decrypted (host/ble/bthome-decrypt.ts). */
export interface BthomeEncryptedPacket extends BthomeHeader {
  encrypted: true;
  ciphertext: Uint8Array;
  /** The 32-bit counter, little-endian on the air; it must increase for replay protection. */
  counter: number;
  mic: Uint8Array;
  objects?: BthomeObject[];
  packetId?: number;
}

export type BthomePacket = BthomePlainPacket | BthomeEncryptedPacket;

export interface BthomeParseOptions {
  /**
   * An unknown object id: 'refuse' (default) throws BthomeError 'unknown-object';
   * 'stop' keeps the objects before it and says where it stopped (`stoppedAt`),
   * as the spec asks of receivers older than the sender.
   */
  unknown?: 'refuse' | 'stop';
}

/** Where BTHome data starts in `data`: after a leading D2 FC (the UUID as the spec's examples write it), else 0. */
function bthomeStart(data: Uint8Array): number {
  // 0xD2 is no v2 device information byte (its version bits say 6), so the prefix is unambiguous.
  return data.length >= 2 && data[0] === 0xd2 && data[1] === 0xfc ? 2 : 0;
}

/** The BTHome service data of an advertisement, under the 16-bit or 128-bit key form, or undefined. */
export function bthomeServiceData(adv: Advertisement): Uint8Array | undefined {
  for (const key of Object.keys(adv.serviceData ?? {})) {
    const k = key.toLowerCase().replace(/^0x/, '');
    if (k === BTHOME_UUID || k === BTHOME_UUID_128) return adv.serviceData?.[key];
  }
  return undefined;
}

/** The header of BTHome v2 data starting at `start`; refuses another version. */
function header(data: Uint8Array, start: number): BthomeHeader & { encrypted: boolean } {
  if (data.length <= start) throw new BthomeError('truncated', 'no device information byte', start);
  const info = data[start];
  const version = info >> 5;
  if (version !== 2) throw new BthomeError('not-v2', `device information 0x${hex2(info)} says BTHome version ${version}, not 2`, start);
  return { version: 2, deviceInfo: info, triggerBased: (info & 0x04) !== 0, encrypted: (info & 0x01) !== 0 };
}

/**
 * Parses BTHome v2 service data: the bytes under UUID 0xFCD2, from the device
 * information byte (or with the UUID's D2 FC in front, as the spec writes it).
 */
export function parseBthome(data: Uint8Array, o: BthomeParseOptions = {}): BthomePacket {
  const start = bthomeStart(data);
  const h = header(data, start);
  if (h.encrypted) {
    const body = start + 1;
    if (data.length < body + 8)
      throw new BthomeError('truncated', `encrypted data needs a 4-byte counter and a 4-byte MIC, has ${data.length - body} bytes`, data.length);
    const end = data.length;
    const c = end - 8;
    const counter = (data[c] | (data[c + 1] << 8) | (data[c + 2] << 16) | (data[c + 3] << 24)) >>> 0;
    return {
      version: 2,
      deviceInfo: h.deviceInfo,
      triggerBased: h.triggerBased,
      encrypted: true,
      ciphertext: data.slice(body, c),
      counter,
      mic: data.slice(end - 4, end),
    };
  }
  const parsed = readObjects(data, start + 1, data.length, o);
  const packet: BthomePlainPacket = { version: 2, deviceInfo: h.deviceInfo, triggerBased: h.triggerBased, encrypted: false, objects: parsed.objects };
  return withMeta(packet, parsed);
}

/** Objects of a decrypted payload (no device information byte); offsets count from its first byte. */
export function parseBthomeObjects(payload: Uint8Array, o: BthomeParseOptions = {}): ParsedObjects {
  return readObjects(payload, 0, payload.length, o);
}

export interface ParsedObjects {
  objects: BthomeObject[];
  packetId?: number;
  stoppedAt?: { offset: number; id: number };
  outOfOrder?: boolean;
}

/** Copies packet id, stop and order facts onto a packet, leaving absent ones absent. */
export function withMeta<P extends BthomePacket>(packet: P, parsed: ParsedObjects): P {
  packet.objects = parsed.objects;
  if (parsed.packetId !== undefined) packet.packetId = parsed.packetId;
  if (parsed.stoppedAt) packet.stoppedAt = parsed.stoppedAt;
  if (parsed.outOfOrder) packet.outOfOrder = true;
  return packet;
}

function readObjects(data: Uint8Array, from: number, end: number, o: BthomeParseOptions): ParsedObjects {
  const out: ParsedObjects = { objects: [] };
  let pos = from;
  let last = -1;
  while (pos < end) {
    const id = data[pos];
    const spec = bthomeObjectSpec(id);
    if (!spec) {
      if (o.unknown === 'stop') {
        out.stoppedAt = { offset: pos, id };
        break;
      }
      throw new BthomeError('unknown-object', `object id 0x${hex2(id)} is not in the BTHome v2 specification`, pos);
    }
    if (id < last) out.outOfOrder = true;
    last = id;
    const obj = readObject(data, pos, end, spec);
    if (id === 0x00) out.packetId = obj.value as number;
    out.objects.push(obj);
    pos += 1 + obj.raw.length;
  }
  return out;
}
