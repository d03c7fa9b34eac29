import { BthomeError, type BthomeObject, bthomeServiceData, parseBthome, type BthomePacket } from '../../firmware/ble/bthome.js';
import type { Advertisement } from '../../hal/contracts/io.js';
import type { BleDevice, BleDevices } from '../store/ble-devices.js';
import { decryptBthome } from './bthome-decrypt.js';
import { parseMac } from './ble-mac.js';

/** An object id newer than this parser: keep what came before it, as the specification asks of older receivers. */
const UNKNOWN = { unknown: 'stop' } as const;

/** Why an advertisement from a configured device was refused (schemas/event-data.schema.json system.ble.refused). */
export type RefusalCode = 'downgrade' | 'replay' | 'bad-mic' | 'no-key' | 'malformed';

export type Verdict =
  | { kind: 'accepted'; device: BleDevice; objects: BthomeObject[]; counter?: number; reset?: { from: number | null; to: number } }
  | { kind: 'refused'; device: BleDevice; code: RefusalCode; detail: string }
  /** A plaintext repeat (same packet id): the device says the same thing again, nothing new. */
  | { kind: 'repeat'; device: BleDevice };

/**
 * Judges one advertisement for the hub (README "BLE sensors (BTHome v2)"):
 * undefined when it is not BTHome or not from a configured device; for a
 * device with a key, plaintext is a downgrade, the MIC must verify and the
 * counter must be greater than the last one accepted (persisted: the check
 * and the update are one statement) unless the owner allowed a restart; for
 * a device without a key, an encrypted advertisement cannot be read and a
 * repeated packet id is the same packet again. `lastPacketId` is the
 * caller's memory of plaintext packet ids by MAC.
 */
export function judgeAdvertisement(adv: Advertisement, devices: BleDevices, lastPacketId: Map<string, number>): Verdict | undefined {
  const data = bthomeServiceData(adv);
  if (!data) return undefined;
  let mac: string;
  try {
    mac = parseMac(adv.address, 'address');
  } catch {
    return undefined;
  }
  const device = devices.get(mac);
  if (!device) return undefined;
  const refuse = (code: RefusalCode, detail: string): Verdict => ({ kind: 'refused', device, code, detail });
  let packet: BthomePacket;
  try {
    packet = parseBthome(data, UNKNOWN);
  } catch (e) {
    if (e instanceof BthomeError) return refuse('malformed', e.message);
    throw e;
  }
  if (!device.key) {
    if (packet.encrypted) return refuse('no-key', 'encrypted, but no key is configured for it (fazt ble add --key)');
    if (packet.packetId !== undefined) {
      if (lastPacketId.get(mac) === packet.packetId) return { kind: 'repeat', device };
      lastPacketId.set(mac, packet.packetId);
    }
    return { kind: 'accepted', device, objects: packet.objects };
  }
  if (!packet.encrypted) return refuse('downgrade', 'plaintext from a device with a key');
  let plain: BthomeObject[];
  try {
    plain = decryptBthome(data, mac, device.key, UNKNOWN).objects;
  } catch (e) {
    if (e instanceof BthomeError) return refuse(e.code === 'bad-mic' ? 'bad-mic' : 'malformed', e.message);
    throw e;
  }
  const counter = packet.counter;
  if (!devices.takeCounterIfNewer(mac, counter))
    return refuse('replay', `counter ${counter} is not greater than the last accepted (${device.lastCounter ?? 'none'})`);
  const reset = device.resetPending ? { from: device.lastCounter ?? null, to: counter } : undefined;
  return { kind: 'accepted', device, objects: plain, counter, ...(reset ? { reset } : {}) };
}
