import { createCipheriv } from 'node:crypto';
import { BthomeError } from '../../firmware/ble/bthome.js';
import { bthomeNonce, parseMac } from '../../firmware/ble/bthome-nonce.js';
import { BUTTON_EVENTS, type BthomeObjectSpec, bthomeObjectSpec, COMMAND_OPCODES, DIMMER_EVENTS } from '../../firmware/ble/bthome-objects.js';
import { fromHex } from '../../firmware/codec/text-encodings.js';
import { utf8Encode } from '../../firmware/codec/utf8.js';

/**
 * The inverse of firmware/ble/bthome.ts, for the simulator's BLE device
 * models and the tests: objects → BTHome v2 service data (the bytes under
 * UUID 0xFCD2, from the device information byte), plain or encrypted.
 */

/** One object to send: its id and value as the parser reports it (number, boolean, event name, text, hex or bytes, version). */
export interface BthomeObjectInput {
  id: number;
  value: number | boolean | string | Uint8Array;
  /** Dimmer rotations; step count of a command's step_up / step_down. */
  steps?: number;
  /** A command's argument bytes (instead of `steps`). */
  args?: Uint8Array;
}

export interface BthomeEncodeOptions {
  /** Sent as object 0x00. */
  packetId?: number;
  /** Sets bit 2 of the device information byte: the device advertises on events. */
  triggerBased?: boolean;
}

/** Plaintext service data. Objects are sent in ascending id order, as the spec requires (equal ids keep their order). */
export function encodeBthome(objects: BthomeObjectInput[], o: BthomeEncodeOptions = {}): Uint8Array {
  return concat([Uint8Array.of(deviceInfo(false, o)), encodeBthomeObjects(objects, o)]);
}

/**
 * Encrypted service data (bthome.io/encryption): AES-128-CCM, 4-byte MIC,
 * the nonce of `mac`, UUID, device information and `counter` (a 32-bit
 * unsigned integer, sent little-endian).
 */
export function encryptBthome(objects: BthomeObjectInput[], mac: string, key: Uint8Array, counter: number, o: BthomeEncodeOptions = {}): Uint8Array {
  if (key.length !== 16) throw new BthomeError('bad-key', `a BTHome key is 16 bytes, this one is ${key.length}`);
  if (!Number.isInteger(counter) || counter < 0 || counter > 0xffffffff) throw new RangeError(`counter must be a 32-bit unsigned integer, got ${counter}`);
  const info = deviceInfo(true, o);
  const cipher = createCipheriv('aes-128-ccm', key, bthomeNonce(parseMac(mac), info, counter), { authTagLength: 4 });
  const ciphertext = Buffer.concat([cipher.update(encodeBthomeObjects(objects, o)), cipher.final()]);
  const c = Uint8Array.of(counter & 0xff, (counter >>> 8) & 0xff, (counter >>> 16) & 0xff, (counter >>> 24) & 0xff);
  return concat([Uint8Array.of(info), ciphertext, c, cipher.getAuthTag()]);
}

/** The objects alone (the plaintext an encrypted packet carries), the packet id first. */
function encodeBthomeObjects(objects: BthomeObjectInput[], o: BthomeEncodeOptions = {}): Uint8Array {
  const all = o.packetId === undefined ? [...objects] : [{ id: 0x00, value: o.packetId }, ...objects];
  const sorted = all.map((obj, i) => ({ obj, i })).sort((a, b) => a.obj.id - b.obj.id || a.i - b.i);
  return concat(sorted.map(({ obj }) => encodeObject(obj)));
}

function deviceInfo(encrypted: boolean, o: BthomeEncodeOptions): number {
  return 0x40 | (o.triggerBased ? 0x04 : 0) | (encrypted ? 0x01 : 0);
}

function encodeObject(obj: BthomeObjectInput): Uint8Array {
  const spec = bthomeObjectSpec(obj.id);
  if (!spec) throw new RangeError(`object id 0x${obj.id.toString(16)} is not in the BTHome v2 specification`);
  const what = `object 0x${obj.id.toString(16).padStart(2, '0')} (${spec.name})`;
  const v = obj.value;
  switch (spec.format) {
    case 'number':
      return Uint8Array.of(obj.id, ...littleEndian(scaled(spec, v, what), spec));
    case 'bool':
      if (typeof v !== 'boolean' && v !== 0 && v !== 1) throw new TypeError(`${what} takes a boolean, got ${String(v)}`);
      return Uint8Array.of(obj.id, v ? 1 : 0);
    case 'button':
      return Uint8Array.of(obj.id, eventId(BUTTON_EVENTS, v, what));
    case 'dimmer':
      return Uint8Array.of(obj.id, eventId(DIMMER_EVENTS, v, what), byte(obj.steps ?? 0, `${what} steps`));
    case 'command': {
      const op = eventId(COMMAND_OPCODES, v, what);
      const args = obj.args ?? (obj.steps === undefined ? new Uint8Array(0) : Uint8Array.of(byte(obj.steps, `${what} steps`)));
      if (args.length > 31) throw new RangeError(`${what} carries at most 31 argument bytes, got ${args.length}`);
      return Uint8Array.of(obj.id, args.length, op, ...args);
    }
    case 'text':
    case 'raw': {
      const bytes = spec.format === 'text' ? utf8Encode(String(v)) : v instanceof Uint8Array ? v : fromHex(String(v));
      if (bytes.length > 255) throw new RangeError(`${what} holds at most 255 bytes, got ${bytes.length}`);
      return Uint8Array.of(obj.id, bytes.length, ...bytes);
    }
    case 'version': {
      const parts = String(v).split('.').map(Number);
      if (parts.length !== spec.size || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255))
        throw new RangeError(`${what} takes ${spec.size} numbers 0–255 separated by dots, got "${String(v)}"`);
      return Uint8Array.of(obj.id, ...parts.reverse());
    }
  }
}

/** The integer the device sends for `v`, refused when it does not fit the object's size. */
function scaled(spec: BthomeObjectSpec, v: BthomeObjectInput['value'], what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${what} takes a number, got ${String(v)}`);
  const n = Math.round((v * spec.div) / spec.mul);
  const bits = 8 * spec.size;
  const [lo, hi] = spec.signed ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
  if (n < lo || n > hi) throw new RangeError(`${what}: ${v} does not fit ${spec.signed ? 'a signed' : 'an unsigned'} ${bits}-bit field`);
  return n;
}

function littleEndian(n: number, spec: BthomeObjectSpec): number[] {
  let u = n < 0 ? n + 2 ** (8 * spec.size) : n;
  const out: number[] = [];
  for (let i = 0; i < spec.size; i++) {
    out.push(u % 256);
    u = Math.floor(u / 256);
  }
  return out;
}

function eventId(table: Record<number, string>, v: BthomeObjectInput['value'], what: string): number {
  for (const [id, name] of Object.entries(table)) if (name === v) return Number(id);
  const op = typeof v === 'string' ? /^opcode_0x([0-9a-f]{2})$/i.exec(v) : null;
  if (op && table === COMMAND_OPCODES) return parseInt(op[1], 16);
  throw new RangeError(`${what} has no event "${String(v)}" (known: ${Object.values(table).join(', ')})`);
}

function byte(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new RangeError(`${what} must be 0–255, got ${n}`);
  return n;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
